/** Whether a process with this pid runs on this host (EPERM: it does, as another user). 0 and below name groups. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One line of `mesos-lab doctor`: what was checked, how it stands, and the fix when it does not hold. */
export interface DoctorCheck {
  name: string;
  status: "ok" | "warn" | "fail";
  detail: string;
  fix?: string;
  /** The exit code a failing check ends `doctor` with when nothing else can be checked (the engine's). */
  exitCode?: number;
}

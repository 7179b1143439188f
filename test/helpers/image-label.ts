import type Docker from "dockerode";

/** The value of `label` on a local image, or undefined when the image is not there (or lacks the label). */
export async function imageLabel(docker: Docker, ref: string, label: string): Promise<string | undefined> {
  try {
    const i = (await docker.getImage(ref).inspect()) as { Config?: { Labels?: Record<string, string> | null } };
    return i.Config?.Labels?.[label];
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

import { LabBus } from "../../engine/events.js";
import type { GlobalOpts } from "../../lab/global-options.js";
import { configuredImages } from "../../lab/images.js";
import { openSession } from "../../lab/session.js";
import { attachPlain } from "../../report/plain.js";
import { EXIT } from "../../util/errors.js";

/** `pull`: every configured image, with progress, so that a room can fetch them once before the class. */
export async function pullCommand(g: GlobalOpts): Promise<number> {
  const s = await openSession({ configFile: g.config });
  await s.engine();
  const bus = new LabBus();
  attachPlain(bus, (t) => process.stdout.write(t));
  for (const image of configuredImages(s.config)) {
    process.stdout.write(`pulling ${image}\n`);
    await s.runtime.images.pull(image, (progress) => bus.emit({ type: "image:pull", progress }), s.config.timeouts.pull);
  }
  process.stdout.write("all images present.\n");
  return EXIT.ok;
}

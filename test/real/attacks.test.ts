import { describe } from "vitest";
import { resolveConfig } from "../../src/config/load.js";
import { attackTests } from "../attack/suite.js";
import { tempDir } from "../helpers/temp-dir.js";
import { realAvailable, realLabImages } from "./real-mesos.js";

describe.runIf(await realAvailable())("attack steps on real Mesos 1.11", () => {
  attackTests({
    config: async () => resolveConfig({ profile: "1.11", images: await realLabImages() }, undefined, tempDir("real-attack")),
    images: () => realLabImages(),
  });
});

import { describe } from "vitest";
import { hasDocker } from "../helpers/docker.js";
import { standinConfig } from "../helpers/lab.js";
import { ensureStandinImages } from "../standin/image.js";
import { attackTests } from "./suite.js";

describe.skipIf(!hasDocker)("attack steps on the stand-in", () => {
  attackTests({ config: () => standinConfig(), images: () => ensureStandinImages({ profile: "1.11" }) as unknown as Promise<Record<string, string>> });
});

import { afterEach } from "vitest";
import { stopCliRuns } from "../helpers/cli.js";

// a test that fails before it signals its CLI run must not leave it running into the next test
afterEach(stopCliRuns);

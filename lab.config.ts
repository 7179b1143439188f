import { defineConfig } from "./src/config/index.js";

// Every field is optional; these are the defaults, written out so instructors can see what to change.
export default defineConfig({
  profile: "1.4",
  images: {
    zk: "netflixoss/exhibitor:1.5.2",
    master: "mesosphere/mesos-master:1.4.0-rc5",
    agent: "mesosphere/mesos-slave:1.4.0-rc5",
    execute: "mesosphere/mesos:1.4.0-rc5",
  },
  network: { mode: "bridge", subnet: "auto" },
  ports: { master: 5050, agent: 5051, exhibitor: 8080, zk: 0 },
  agents: 1,
});

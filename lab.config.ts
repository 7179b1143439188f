import { defineConfig } from "./src/config/index.js";

// Every field is optional; these are the defaults, written out so instructors can see what to change.
// Profile "1.4" is the 2017 workshop's release (images netflixoss/exhibitor:1.5.2, mesosphere/mesos-master:1.4.0-rc5,
// mesosphere/mesos-slave:1.4.0-rc5, mesosphere/mesos:1.4.0-rc5), checked against the stand-in only.
export default defineConfig({
  profile: "1.11",
  images: {
    zk: "zookeeper:3.8",
    // one image may serve master, agent and mesos-execute: the lab starts the right program in each
    master: "mesos/mesos-centos:1.11.0",
    agent: "mesos/mesos-centos:1.11.0",
    execute: "mesos/mesos-centos:1.11.0",
  },
  network: { mode: "bridge", subnet: "auto" },
  ports: { master: 5050, agent: 5051, exhibitor: 8080, zk: 0 },
  agents: 1,
});

import { describe, expect, it } from "vitest";
import { uiLoginFile } from "../../src/engine/ui-login.js";

describe("the credentials file a protected UI asks a login from (uiLoginFile)", () => {
  const master = { MESOS_AUTHENTICATE_HTTP_READONLY: "true", MESOS_CREDENTIALS: "file:///etc/credentials/credentials.json" };
  it("the master's --credentials, as the lab folder's copy (master.cpp:521-535)", () => {
    expect(uiLoginFile("master", master, "credentials")).toBe("credentials/credentials.json");
    expect(uiLoginFile("master", master, "my-creds/")).toBe("my-creds/credentials.json");
  });
  it("the agent's --http_credentials, not --credentials (slave.cpp:320-330)", () => {
    const agent = { MESOS_AUTHENTICATE_HTTP_READONLY: "true", MESOS_HTTP_CREDENTIALS: "file:///etc/credentials/http_credentials.json" };
    expect(uiLoginFile("agent", agent, "credentials")).toBe("credentials/http_credentials.json");
    expect(uiLoginFile("agent", { ...agent, MESOS_HTTP_CREDENTIALS: "" }, "credentials")).toBeUndefined();
    expect(uiLoginFile("agent", { MESOS_AUTHENTICATE_HTTP_READONLY: "true", MESOS_HTTP_CREDENTIALS: "/srv/c.json" }, "credentials")).toBe(
      "/srv/c.json (in the container)",
    );
  });
  it("none while read-only requests are not authenticated", () => {
    expect(uiLoginFile("master", { ...master, MESOS_AUTHENTICATE_HTTP_READONLY: "false" }, "credentials")).toBeUndefined();
    expect(uiLoginFile("master", { MESOS_CREDENTIALS: master.MESOS_CREDENTIALS }, "credentials")).toBeUndefined();
  });
});

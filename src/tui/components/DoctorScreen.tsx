import { Box, Text } from "ink";
import type { DoctorCheck } from "../../lab/doctor-check.js";

const MARK = { ok: ["✓", "green"], warn: ["!", "yellow"], fail: ["✗", "red"] } as const;

/** `mesos-lab doctor` as a checklist: what a workshop laptop needs, with the fix under each problem. */
export function DoctorScreen({ doctor }: { doctor?: { loading: boolean; checks: DoctorCheck[]; error?: string } }) {
  if (!doctor || doctor.loading) return <Text color="yellow">Checking Docker, images, ports, cgroups…</Text>;
  const fails = doctor.checks.filter((c) => c.status === "fail").length;
  return (
    <Box flexDirection="column">
      <Text bold>Doctor</Text>
      {doctor.error ? <Text color="red">{doctor.error}</Text> : null}
      {doctor.checks.map((c, i) => (
        <Box key={i} flexDirection="column">
          <Text>
            <Text color={MARK[c.status][1]}>{MARK[c.status][0]}</Text> {c.name}: {c.detail}
          </Text>
          {c.fix && c.status !== "ok" ? <Text dimColor> fix: {c.fix}</Text> : null}
        </Box>
      ))}
      <Box marginTop={1}>
        <Text color={fails ? "red" : "green"}>{fails ? `${fails} problem(s) to fix before the lab can run.` : "ready."}</Text>
      </Box>
    </Box>
  );
}

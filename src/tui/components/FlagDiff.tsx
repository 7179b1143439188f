import { Box, Text } from "ink";
import type { EnvChange } from "../../engine/render.js";
import type { Role } from "../../model/roles.js";

const COLOR = { "+": "green", "-": "red", "~": "yellow" } as const;

export function changeText(c: EnvChange): string {
  if (c.op === "+") return `+ ${c.key}=${c.value}`;
  if (c.op === "-") return `- ${c.key}`;
  return `~ ${c.key}=${c.previous}→${c.value}`;
}

/** The flags this step adds, removes or changes, per role — what the attendee would type by hand. */
export function FlagDiff({ diff, width = 110 }: { diff: Record<Role, EnvChange[]>; width?: number }) {
  const roles = (Object.keys(diff) as Role[]).filter((r) => diff[r].length > 0);
  if (roles.length === 0) return <Text dimColor>No flag changes: this step runs with the previous step's flags.</Text>;
  return (
    <Box flexDirection="column">
      {roles.map((role) =>
        diff[role].map((c, i) => (
          <Box key={`${role}${c.key}`}>
            <Box width={9}>
              <Text dimColor>{i === 0 ? role : ""}</Text>
            </Box>
            <Text color={COLOR[c.op]} wrap="truncate-end">
              {changeText(c).slice(0, width)}
            </Text>
          </Box>
        )),
      )}
    </Box>
  );
}

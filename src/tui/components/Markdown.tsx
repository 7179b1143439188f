import { Box, Text } from "ink";
import { parseInline, parseMarkdown, type Span } from "../markdown.js";

export function Spans({ spans }: { spans: Span[] }) {
  return (
    <Text>
      {spans.map((s, i) =>
        s.kind === "bold" ? (
          <Text key={i} bold>
            {s.text}
          </Text>
        ) : s.kind === "code" ? (
          <Text key={i} color="cyan">
            {s.text}
          </Text>
        ) : s.kind === "em" ? (
          <Text key={i} italic>
            {s.text}
          </Text>
        ) : (
          <Text key={i}>{s.text}</Text>
        ),
      )}
    </Text>
  );
}

export function Markdown({ text }: { text: string }) {
  const blocks = parseMarkdown(text);
  return (
    <Box flexDirection="column">
      {blocks.map((b, i) =>
        b.kind === "paragraph" ? (
          <Box key={i} marginBottom={i < blocks.length - 1 && blocks[i + 1]?.kind === "paragraph" ? 1 : 0}>
            <Spans spans={b.spans} />
          </Box>
        ) : (
          <Box key={i} paddingLeft={1}>
            <Text>{b.bullet} </Text>
            <Spans spans={b.spans} />
          </Box>
        ),
      )}
    </Box>
  );
}

/** One line of inline markdown (hints): `code` and **bold** without paragraph handling. */
export function Inline({ text }: { text: string }) {
  return <Spans spans={parseInline(text)} />;
}

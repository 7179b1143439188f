/** The options every command takes (`-c/--config`, `--debug`); the CLI parses them and hands them to the TUI too. */
export interface GlobalOpts {
  config?: string;
  debug?: boolean;
}

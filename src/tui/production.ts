/**
 * Imported first by launch.ts, before Ink loads React: React picks its build when it is first imported, and the
 * development build re-renders several times slower and holds far more memory (bench/tui-stress.ts: ~730 MB RSS
 * against ~220 MB under a 5,000 lines/s stream). Set NODE_ENV yourself to debug the TUI with React's checks.
 */
process.env.NODE_ENV ??= "production";
export {};

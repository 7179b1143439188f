/**
 * Exercise values may name things the harness only knows at run time: `${host.zk}` (alias or 127.0.0.1),
 * `${ip.master}`, `${secret:scheduler-principal}`. Reports show the template, never the expanded secret.
 */
export interface TemplateContext {
  host: Record<string, string>;
  ip: Record<string, string>;
  secretOf: (principal: string) => string;
}

const TOKEN = /\$\{(host|ip)\.([a-z0-9-]+)\}|\$\{secret:([a-z0-9-]+)\}/g;

export function expand(value: string, ctx: TemplateContext): string {
  return value.replace(TOKEN, (whole, kind: string | undefined, name: string | undefined, principal: string | undefined) => {
    if (principal) return ctx.secretOf(principal);
    const table = kind === "host" ? ctx.host : ctx.ip;
    const v = table[name!];
    if (v === undefined) throw new Error(`unknown template ${whole}`);
    return v;
  });
}

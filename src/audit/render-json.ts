import type { AuditReport } from "./types.js";

/** The report as it is: docs/audit/report.schema.json describes it (format "mesos-lab-audit/1"). */
export const renderJson = (r: AuditReport): string => `${JSON.stringify(r, null, 2)}\n`;

import type { DeviceResult } from "@headless-ops/client";
import { type Command, Option } from "commander";
import { dryRunUnsupported, formatApiError, unwrap } from "./api-error.js";
import { type CliContext, toJson } from "./cli-context.js";
import { CliError } from "./cli-error.js";
import { type DryRun, dryRunSummary } from "./dry-run-format.js";
import { buildCreateBody, type CreateFlags } from "./operation-request.js";
import { downloadReport, REPORT_FORMATS, type ReportFormat } from "./report-download.js";
import { failuresTable, operationDetail, operationsTable, pageFooter } from "./table-format.js";
import { watchOperation } from "./watch-operation.js";

const OPS = "/api/v1/inventory_device_serial_headless_operation/";
const collect = (value: string, previous: string[] = []) => [...previous, value];
const operationTypes = ["bulk_serial_sync", "inventory_audit", "status_refresh", "compliance_report"];
const statuses = ["scheduled", "in_progress", "completed", "completed_with_errors", "failed", "cancelled"];
/** Failed devices fetched for `ops failures`, 200 a page: enough for a terminal, bounded for memory. */
const MAX_FAILURES = 10_000;

type Run = (ctx: CliContext) => Promise<number | undefined>;
export type Action = (run: Run) => Promise<void>;

export function registerOpsCommands(program: Command, action: Action): void {
  const ops = program
    .command("ops")
    .description("headless operations: create, follow, inspect, cancel, retry");

  ops
    .command("create")
    .description("schedule an operation from flags or a JSON file (flags override the file)")
    .option("-f, --file <op.json>", "the operation's configuration as JSON (the POST body)")
    .addOption(new Option("-t, --type <operation_type>", "operation type").choices(operationTypes))
    .option("-o, --org <id>", "target organization (repeatable)", collect)
    .option("--device-type <type>", "only this device type (repeatable)", collect)
    .option("--status <status>", "only devices in this status (repeatable)", collect)
    .option("--execute-at <iso>", "when to run (ISO 8601; default now)")
    .addOption(new Option("--priority <priority>").choices(["high", "normal", "low"]))
    .option("--timeout-minutes <n>", "operation timeout in minutes")
    .option("--update-firmware-info", "record firmware versions")
    .option("--validate-connectivity", "check reachability first")
    .option("--dry-run", "ask the API what would run, without scheduling anything")
    .option("-w, --wait", "then follow it to the end (exit code as for ops watch)")
    .option("--json", "print the API's answer as JSON")
    .action((flags: CreateFlags & { wait?: boolean; json?: boolean }) =>
      action(async (ctx) => {
        const body = buildCreateBody(flags);
        const res = await ctx.api.POST(OPS, { body });
        if (body.dry_run && res.error !== undefined && dryRunUnsupported(res.response.status, res.error)) {
          throw new CliError(
            `this server does not support dry runs (it refused the dry_run field):\n${formatApiError(res.response.status, res.error)}`,
          );
        }
        const created = unwrap(res);
        if (flags.json) ctx.out(toJson(created));
        // A dry run answers what would run (counts, unprobeable devices, a sample), not an operation.
        if ("dry_run" in created) {
          if (!flags.json) ctx.out(dryRunSummary(created as DryRun));
          return 0;
        }
        if (!flags.json)
          ctx.out(
            `operation ${created.id} ${created.status}: ${created.target_device_count} devices, ` +
              `scheduled for ${created.scheduled_for}`,
          );
        if (!flags.wait) return 0;
        return watchOperation(ctx, created.id, { json: flags.json ?? false });
      }),
    );

  ops
    .command("list")
    .description("operations, newest first")
    .addOption(new Option("--status <status>").choices(statuses))
    .addOption(new Option("-t, --type <operation_type>").choices(operationTypes))
    .option("-o, --org <id>", "only this organization")
    .option("--page <n>", "page number", "1")
    .option("--page-size <n>", "results per page (at most 200)", "20")
    .option("--json", "print the page as the API returns it")
    .action(
      (flags: {
        status?: string;
        type?: string;
        org?: string;
        page: string;
        pageSize: string;
        json?: boolean;
      }) =>
        action(async (ctx) => {
          const page = toInt(flags.page, "--page");
          const query = {
            page,
            page_size: toInt(flags.pageSize, "--page-size"),
            ...(flags.status ? { status: flags.status as never } : {}),
            ...(flags.type ? { operation_type: flags.type as never } : {}),
            ...(flags.org ? { organization_id: toInt(flags.org, "--org") } : {}),
          };
          const data = unwrap(await ctx.api.GET(OPS, { params: { query } }));
          if (flags.json) return void ctx.out(toJson(data));
          ctx.out(operationsTable(data.results));
          ctx.out(pageFooter(data.count, page, data.results.length, data.next !== null));
          return 0;
        }),
    );

  ops
    .command("show <id>")
    .description("one operation: status, counts, error summary")
    .option("--json", "print the operation object")
    .action((id: string, flags: { json?: boolean }) =>
      action(async (ctx) => {
        const data = unwrap(await ctx.api.GET(OPS, { params: { query: { id } } }));
        const op = data.results[0];
        if (!op) throw new CliError(`operation ${id} not found`);
        ctx.out(flags.json ? toJson(op) : operationDetail(op));
        return 0;
      }),
    );

  ops
    .command("watch <id>")
    .description(
      "follow an operation live until it ends; exit 0 completed, 2 completed_with_errors, 3 failed, 4 cancelled, 1 error",
    )
    .option("--json", "one JSON line per event on stdout instead of the bar")
    .action((id: string, flags: { json?: boolean }) =>
      action((ctx) => watchOperation(ctx, id, { json: flags.json ?? false })),
    );

  ops
    .command("failures <id>")
    .description("the devices that failed, with error codes and messages")
    .option("--json", "print the failed device results as a JSON array")
    .action((id: string, flags: { json?: boolean }) =>
      action(async (ctx) => {
        const failures = await allFailures(ctx, id);
        if (flags.json) return void ctx.out(toJson(failures));
        ctx.out(failures.length ? failuresTable(failures) : `operation ${id}: no failed devices`);
        return 0;
      }),
    );

  ops
    .command("report <id>")
    .description("the per-device report, streamed to stdout as the API sends it (`> out.csv`)")
    .addOption(new Option("--format <format>", "report format").choices(REPORT_FORMATS).default("csv"))
    .action((id: string, flags: { format: ReportFormat }) =>
      action(async (ctx) => {
        await downloadReport(ctx, id, flags.format);
        return 0;
      }),
    );

  ops
    .command("cancel <id>")
    .description("cancel a scheduled or running operation")
    .option("--json", "print the API's answer as JSON")
    .action((id: string, flags: { json?: boolean }) =>
      action(async (ctx) => {
        const op = unwrap(await ctx.api.POST(`${OPS}{id}/cancel`, { params: { path: { id } } }));
        ctx.out(flags.json ? toJson(op) : `operation ${op.id}: ${op.status}`);
        return 0;
      }),
    );

  ops
    .command("retry <id>")
    .description("retry the failed devices of a finished operation (creates a new operation)")
    .option("-w, --wait", "then follow the new operation to the end")
    .option("--json", "print the API's answer as JSON")
    .action((id: string, flags: { json?: boolean; wait?: boolean }) =>
      action(async (ctx) => {
        const op = unwrap(await ctx.api.POST(`${OPS}{id}/retry`, { params: { path: { id } } }));
        if (flags.json) ctx.out(toJson(op));
        else
          ctx.out(`operation ${op.id} ${op.status}: retry of ${id} over ${op.target_device_count} devices`);
        return flags.wait ? watchOperation(ctx, op.id, { json: flags.json ?? false }) : 0;
      }),
    );
}

async function allFailures(ctx: CliContext, id: string): Promise<DeviceResult[]> {
  const all: DeviceResult[] = [];
  for (let page = 1; all.length < MAX_FAILURES; page++) {
    const data = unwrap(
      await ctx.api.GET(`${OPS}{id}/devices/`, {
        params: { path: { id }, query: { status: "failed", page, page_size: 200 } },
      }),
    );
    all.push(...data.results);
    if (!data.next || data.results.length === 0) break;
  }
  return all;
}

export function toInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} expects a whole number, got "${value}"`);
  return Number(value);
}

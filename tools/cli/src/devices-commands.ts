import { type Command, Option } from "commander";
import { unwrap } from "./api-error.js";
import { toJson } from "./cli-context.js";
import { uploadCsv } from "./csv-upload.js";
import { type Action, toInt } from "./ops-commands.js";
import { devicesTable, pageFooter } from "./table-format.js";

const deviceTypes = ["router", "switch", "access_point", "firewall", "wireless_controller", "gateway"];
const deviceStatuses = ["active", "pending", "offline", "maintenance", "decommissioned"];

export function registerDevicesCommands(program: Command, action: Action): void {
  const devices = program.command("devices").description("the device inventory");

  devices
    .command("import <file.csv>")
    .description("import devices from a CSV file (all rows or none; errors name the CSV line)")
    .option("--json", "print the API's answer as JSON")
    .action((file: string, flags: { json?: boolean }) =>
      action(async (ctx) => {
        const result = await uploadCsv(ctx, file, { quiet: flags.json ?? false });
        ctx.out(flags.json ? toJson(result) : `imported ${result.created} devices from ${file}`);
        return 0;
      }),
    );

  devices
    .command("list")
    .description("devices, filtered")
    .option("-o, --org <id>", "only this organization")
    .addOption(new Option("-t, --type <device_type>").choices(deviceTypes))
    .addOption(new Option("--status <status>").choices(deviceStatuses))
    .addOption(new Option("--driver <driver>").choices(["simulated", "snmp"]))
    .option("--hostname <text>", "hostname filter")
    .option("--page <n>", "page number", "1")
    .option("--page-size <n>", "results per page (at most 200)", "50")
    .option("--json", "print the page as the API returns it")
    .action(
      (flags: {
        org?: string;
        type?: string;
        status?: string;
        driver?: string;
        hostname?: string;
        page: string;
        pageSize: string;
        json?: boolean;
      }) =>
        action(async (ctx) => {
          const page = toInt(flags.page, "--page");
          const query = {
            page,
            page_size: toInt(flags.pageSize, "--page-size"),
            ...(flags.org ? { organization_id: toInt(flags.org, "--org") } : {}),
            ...(flags.type ? { device_type: flags.type as never } : {}),
            ...(flags.status ? { status: flags.status as never } : {}),
            ...(flags.driver ? { driver: flags.driver as never } : {}),
            ...(flags.hostname ? { hostname: flags.hostname } : {}),
          };
          const data = unwrap(await ctx.api.GET("/api/v1/devices/", { params: { query } }));
          if (flags.json) return void ctx.out(toJson(data));
          ctx.out(devicesTable(data.results));
          ctx.out(pageFooter(data.count, page, data.results.length, data.next !== null));
          return 0;
        }),
    );
}

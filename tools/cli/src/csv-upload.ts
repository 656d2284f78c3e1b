import { createReadStream, statSync } from "node:fs";
import { Readable, Transform } from "node:stream";
import cliProgress from "cli-progress";
import { unwrap } from "./api-error.js";
import type { CliContext } from "./cli-context.js";
import { CliError } from "./cli-error.js";

/**
 * `devices import FILE.csv`: the file is streamed to POST /api/v1/devices/import (never read into
 * memory whole), with a bar of bytes sent on a terminal. The API imports all rows or none.
 */
export async function uploadCsv(ctx: CliContext, path: string, opts: { quiet: boolean }) {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error("not a regular file");
    size = stat.size;
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
  const bar =
    !opts.quiet && ctx.stderr.isTTY
      ? new cliProgress.SingleBar(
          { format: "uploading {bar} {percentage}% | {value}/{total} bytes", stream: ctx.stderr },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      sent += chunk.length;
      bar?.update(sent);
      done(null, chunk);
    },
  });
  const body = Readable.toWeb(createReadStream(path).pipe(counter)) as ReadableStream<Uint8Array>;
  bar?.start(size, 0);
  try {
    const init = {
      body,
      bodySerializer: (b: unknown) => b,
      headers: { "content-type": "text/csv" },
      // A streamed request body needs half duplex in fetch (undici); openapi-fetch passes it on.
      duplex: "half",
    };
    // The typed body is a string; a stream is what fetch sends without buffering the file.
    const result = await ctx.api.POST("/api/v1/devices/import", init as unknown as { body: string });
    return unwrap(result);
  } finally {
    bar?.stop();
  }
}

/**
 * V8 flags every service process starts with: the Dockerfile's `NODE_OPTIONS`, the launcher's and
 * the test kit's (so the benchmark and the end-to-end tests) `node` command lines.
 *
 * `--max-semi-space-size=16`: on a machine with a few GB of memory Node 24 lets the young
 * generation grow to 2 × 64 MB, and under a busy fold or fan-out it does, which was most of each
 * service's peak RSS (~290 MB); 16 MB per semi-space is Node 20's default.
 * `--max-old-space-size=384`: the heap limit V8 sizes its old-generation growth from (by default
 * a quarter of the machine's memory); the aggregator's old space otherwise fills with promoted
 * fold garbage to ~65 MB before a mark-compact. 384 MB is at or below the memory limits of the
 * pods that do the work (scheduler 384Mi; prober, aggregator, api 512Mi): the live heap is far
 * smaller (bounded batches), and V8 no longer plans its growth for a 24 GB machine. Together: peak RSS
 * under 200 MB per service from 100k to 1M devices, for more GC CPU in the aggregator (figures in
 * bench/README.md, "Peak RSS per service").
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=16", "--max-old-space-size=384"];

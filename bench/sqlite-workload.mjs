// The workload of bench/sqlite-drivers.sh: one driver, a temporary database file, 1000 inserts
// in one transaction and 1000 point reads. Prints one line of timings. Run from a folder where
// the driver is installed: node sqlite-workload.mjs better-sqlite3|@libsql/client|node:sqlite
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

const driver = process.argv[2];
const file = join(mkdtempSync(join(tmpdir(), "sqlite-bench-")), "bench.db");
const require = createRequire(join(process.cwd(), "index.js"));
const rows = 1000;

async function run() {
  if (driver === "@libsql/client") {
    const { createClient } = require("@libsql/client");
    const db = createClient({ url: `file:${file}` });
    await db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    const w = performance.now();
    const tx = await db.transaction("write");
    for (let i = 0; i < rows; i++) await tx.execute({ sql: "INSERT INTO t (id, v) VALUES (?, ?)", args: [i, `v${i}`] });
    await tx.commit();
    const r = performance.now();
    for (let i = 0; i < rows; i++) await db.execute({ sql: "SELECT v FROM t WHERE id = ?", args: [i] });
    return [r - w, performance.now() - r];
  }
  const db =
    driver === "node:sqlite"
      ? new (await import("node:sqlite")).DatabaseSync(file)
      : new (require("better-sqlite3"))(file);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
  const insert = db.prepare("INSERT INTO t (id, v) VALUES (?, ?)");
  const select = db.prepare("SELECT v FROM t WHERE id = ?");
  const w = performance.now();
  db.exec("BEGIN");
  for (let i = 0; i < rows; i++) insert.run(i, `v${i}`);
  db.exec("COMMIT");
  const r = performance.now();
  for (let i = 0; i < rows; i++) select.get(i);
  return [r - w, performance.now() - r];
}

const [write, read] = await run();
console.log(`write ${write.toFixed(1)} ms, read ${read.toFixed(1)} ms`);

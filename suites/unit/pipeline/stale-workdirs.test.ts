// Work dirs of dead runs are removed with the processes they left; others are left alone.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { spawnDetached } from "../../../src/host/exec.js";
import { identifyProcess, isRunning, selfIdentity } from "../../../src/host/processes.js";
import { SERVER_FILE } from "../../../src/guest/guestfish.js";
import { OWNER_FILE, isWorkDirName, parseOwner, sweepStaleWorkDirs } from "../../../src/pipeline/stale-workdirs.js";
import { makeWorkDir } from "../../../src/pipeline/workdir.js";

let base = "";
const saved = process.env["VIRT_V2V_TMPDIR"];
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), "v2v-sweep-"));
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
  if (saved === undefined) delete process.env["VIRT_V2V_TMPDIR"];
  else process.env["VIRT_V2V_TMPDIR"] = saved;
});

const dead = JSON.stringify({ pid: 99_999_999, startTime: 1 });

test("names and owner files", () => {
  expect(isWorkDirName("v2v-AbC123")).toBe(true);
  expect(isWorkDirName("v2v-guestfish-AbC123")).toBe(false);
  expect(isWorkDirName("v2v-cache")).toBe(false);
  expect(parseOwner(dead)).toEqual({ pid: 99_999_999, startTime: 1 });
  expect(parseOwner("{}")).toBeUndefined();
});

test("only dirs whose owner is dead are removed; no owner file, a live owner, other names stay", async () => {
  const me = JSON.stringify(await selfIdentity());
  const make = (name: string, owner?: string): string => {
    const d = join(base, name);
    mkdirSync(d);
    writeFileSync(join(d, "overlay-0.qcow2"), "");
    if (owner !== undefined) writeFileSync(join(d, OWNER_FILE), owner);
    return d;
  };
  const stale = make("v2v-dead01", dead);
  const noOwner = make("v2v-noown1");
  const live = make("v2v-alive1", me);
  const other = make("v2v-guestfish-abcdef", dead);
  const garbled = make("v2v-garbl1", "not json");
  const lines: string[] = [];
  const swept = await sweepStaleWorkDirs(base, (l) => lines.push(l));
  expect(swept.map((s) => s.path)).toEqual([stale]);
  expect(lines).toEqual([`removed ${stale}, left by v2v run pid 99999999, which is no longer running`]);
  expect(existsSync(stale)).toBe(false);
  for (const d of [noOwner, live, other, garbled]) expect(existsSync(d)).toBe(true);
});

test("the guestfish server a dead run recorded, and whatever carries its LIBGUESTFS_TMPDIR, are stopped", async () => {
  const d = join(base, "v2v-dead02");
  const session = join(d, "v2v-guestfish-xyz123");
  mkdirSync(session, { recursive: true });
  writeFileSync(join(d, OWNER_FILE), dead);
  // Stand-ins: a "server" recorded in the session dir, and a "qemu" found only by its environment.
  const server = spawnDetached(["sleep", "60"]);
  const qemu = spawnDetached(["sleep", "60"], { env: { LIBGUESTFS_TMPDIR: session } });
  const settled = Promise.allSettled([server, qemu]);
  try {
    const serverId = await identifyProcess(server.pid!);
    writeFileSync(join(session, SERVER_FILE), JSON.stringify(serverId));
    await new Promise((r) => setTimeout(r, 100)); // let sleep exec, so its environ is the marked one
    const lines: string[] = [];
    const [s] = await sweepStaleWorkDirs(base, (l) => lines.push(l));
    expect(s?.stopped.map((p) => p.pid).sort()).toEqual([server.pid, qemu.pid].sort());
    expect(lines[0]).toMatch(/stopped its leftover processes \(pid \d+, \d+\)$/);
    expect(await isRunning(serverId!)).toBe(false);
    expect(existsSync(d)).toBe(false);
  } finally {
    server.kill("SIGKILL");
    qemu.kill("SIGKILL");
    await settled;
  }
});

test("makeWorkDir sweeps first, then makes v2v-XXXXXX holding this run's owner file", async () => {
  process.env["VIRT_V2V_TMPDIR"] = base;
  mkdirSync(join(base, "v2v-dead03"));
  writeFileSync(join(base, "v2v-dead03", OWNER_FILE), dead);
  const infos: string[] = [];
  const w = await makeWorkDir({ info: (l) => infos.push(l) });
  expect(infos).toHaveLength(1);
  expect(w.path).toMatch(/\/v2v-[A-Za-z0-9]{6}$/);
  expect(parseOwner(readFileSync(join(w.path, OWNER_FILE), "utf8"))).toEqual(await selfIdentity());
  await w.remove();
  expect(existsSync(w.path)).toBe(false);
});

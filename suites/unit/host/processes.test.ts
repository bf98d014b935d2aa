// /proc readers: start times (pid reuse), the environment marker, stopping with a deadline.
import { expect, test } from "vitest";
import { spawnDetached } from "../../../src/host/exec.js";
import { libguestfsSocketDir, parseServerRecord } from "../../../src/guest/guestfish.js";
import {
  envValue, findProcessesByEnv, identifyProcess, isRunning, parseStatParent, parseStatStartTime, parseUnixSockets, selfIdentity,
  terminateProcesses,
} from "../../../src/host/processes.js";

// Field 22 counted after the last ")": a command name may hold spaces and parentheses.
const STAT = "4242 (a b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 50 18446744073709551615";

test("parseStatStartTime and parseStatParent count fields after the command name", () => {
  expect(parseStatStartTime(STAT)).toBe(987654);
  expect(parseStatParent(STAT)).toBe(1);
  expect(parseStatStartTime("garbage")).toBeUndefined();
});

test("identifyProcess: this process is running; a reused pid (other start time) is not the same process", async () => {
  const me = await selfIdentity();
  expect(me.pid).toBe(process.pid);
  expect(await isRunning(me)).toBe(true);
  expect(await isRunning({ pid: me.pid, startTime: me.startTime + 1 })).toBe(false);
  expect(await identifyProcess(99_999_999)).toBeUndefined();
});

test("envValue reads one variable of a NUL-separated environment", () => {
  expect(envValue("A=1\0LIBGUESTFS_TMPDIR=/x/y\0B=", "LIBGUESTFS_TMPDIR")).toBe("/x/y");
  expect(envValue("A=1\0", "B")).toBeUndefined();
});

test("a process marked in its environment is found and stopped", async () => {
  const marker = `/nonexistent/v2v-test-${process.pid}-${Date.now()}`;
  const child = spawnDetached(["sleep", "60"], { env: { LIBGUESTFS_TMPDIR: marker } });
  const done = child.catch(() => undefined);
  try {
    let found: Awaited<ReturnType<typeof findProcessesByEnv>> = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = await findProcessesByEnv("LIBGUESTFS_TMPDIR", (v) => v === marker);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(found.map((p) => p.pid)).toEqual([child.pid]);
    expect(await terminateProcesses(found, 2000)).toEqual([]); // SIGTERM was enough
    await done;
    expect(await isRunning(found[0]!)).toBe(false);
  } finally {
    child.kill("SIGKILL");
    await done;
  }
});

test("parseUnixSockets maps inodes to bound paths; libguestfsSocketDir recognises libguestfs's socket dirs", () => {
  const table = [
    "Num       RefCount Protocol Flags    Type St Inode Path",
    "0000000000000000: 00000002 00000000 00010000 0001 01 48213 /tmp/libguestfsAbC123/guestfsd.sock",
    "0000000000000000: 00000003 00000000 00000000 0001 03 48214",
  ].join("\n");
  expect(parseUnixSockets(table)).toEqual(new Map([[48213, "/tmp/libguestfsAbC123/guestfsd.sock"]]));
  expect(libguestfsSocketDir("/tmp/libguestfsAbC123/guestfsd.sock")).toBe("/tmp/libguestfsAbC123");
  expect(libguestfsSocketDir("/tmp/other/guestfsd.sock")).toBeUndefined();
  expect(libguestfsSocketDir("/tmp/libguestfsAbC123/../../etc/x.sock")).toBeUndefined();
  expect(parseServerRecord('{"pid":5,"startTime":9}')).toEqual({ pid: 5, startTime: 9 });
  expect(parseServerRecord("5")).toBeUndefined();
});

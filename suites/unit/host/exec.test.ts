// The one spawn point's contract (replaces a test that only read back a V2vError's constructor
// arguments): argv is never a shell string, and every failure is a V2vError with code COMMAND that
// names the command, how it ended and the end of its stderr; runAllowFail returns instead.
import { expect, test } from "vitest";
import { CommandError, run, runAllowFail, tail } from "../../../src/host/exec.js";
import { V2vError } from "../../../src/model/errors.js";

async function failure(p: Promise<unknown>): Promise<CommandError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(CommandError);
  expect(e).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("COMMAND");
  return e as CommandError;
}

test("argv words reach the program as they are: no shell expands them", async () => {
  const { stdout, exitCode } = await run(["printf", "%s|", "$(id)", "a b", "*", "`x`"]);
  expect(stdout).toBe("$(id)|a b|*|`x`|");
  expect(exitCode).toBe(0);
});

test("a non-zero exit: the command, its status and its stderr in the message; the stderr kept", async () => {
  const argv = ["sh", "-c", "echo partial; echo first >&2; echo second >&2; exit 3"];
  const e = await failure(run(argv));
  expect(e.message).toBe(`command "sh -c echo partial; echo first >&2; echo second >&2; exit 3" exited with status 3: first\nsecond`);
  expect(e.command).toEqual(argv);
  expect(e.exitCode).toBe(3);
  expect(e.timedOut).toBe(false);
  expect(e.stderrTail).toBe("first\nsecond");
});

test("runAllowFail returns the status and both outputs instead of throwing", async () => {
  expect(await runAllowFail(["sh", "-c", "echo out; echo err >&2; exit 4"])).toEqual({ stdout: "out\n", stderr: "err\n", exitCode: 4 });
});

test("a long stderr: the last 6 lines in the message, the last 12 kept", async () => {
  const e = await failure(run(["sh", "-c", "for i in $(seq 1 20); do echo line$i >&2; done; exit 1"]));
  expect(e.message.split(": ").slice(1).join(": ")).toBe(["line15", "line16", "line17", "line18", "line19", "line20"].join("\n"));
  expect(e.stderrTail.split("\n")).toEqual(Array.from({ length: 12 }, (_, i) => `line${i + 9}`));
  expect(tail("a\nb\nc\n\n", 2)).toBe("b\nc");
});

test("a silent failure names the status alone", async () => {
  expect((await failure(run(["false"]))).message).toBe('command "false" exited with status 1');
});

test("a timeout says so, even from runAllowFail", async () => {
  const e = await failure(runAllowFail(["sleep", "5"], { timeoutMs: 200 }));
  expect(e.timedOut).toBe(true);
  expect(e.message).toMatch(/^command "sleep 5" timed out/);
});

test("a program that does not exist could not be started (it used to read \"exited with status undefined\")", async () => {
  const e = await failure(runAllowFail(["/nonexistent/v2v-tool", "-x"]));
  expect(e.exitCode).toBeUndefined();
  expect(e.message).toMatch(/^command "\/nonexistent\/v2v-tool -x" could not be started: .*ENOENT/);
});

// Files in -os are created with O_EXCL (no symlink followed) and linked into place (never replaced).
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { CommandError } from "../../../src/host/exec.js";
import { copyError } from "../../../src/pipeline/copy.js";
import { V2vError } from "../../../src/model/errors.js";
import { createExclusive, outputFileError, publishFile } from "../../../src/outputs/common/output-files.js";

let dir = "";
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), "v2v-files-")); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("createExclusive refuses an existing file and a dangling symlink, and writes nothing through it", async () => {
  writeFileSync(join(dir, "f"), "old");
  await expect(createExclusive(join(dir, "f"), "new")).rejects.toMatchObject({ code: "OUTPUT" });
  expect(readFileSync(join(dir, "f"), "utf8")).toBe("old");
  symlinkSync(join(dir, "target"), join(dir, "l"));
  await expect(createExclusive(join(dir, "l"), "new")).rejects.toThrow(/l appeared while v2v was writing -os/);
  expect(existsSync(join(dir, "target"))).toBe(false);
});

test("publishFile links into place and refuses to replace what is there", async () => {
  await createExclusive(join(dir, "a.tmp"), "A");
  await publishFile(join(dir, "a.tmp"), join(dir, "a"));
  expect(readFileSync(join(dir, "a"), "utf8")).toBe("A");
  expect(existsSync(join(dir, "a.tmp"))).toBe(false);
  await createExclusive(join(dir, "b.tmp"), "B");
  symlinkSync("/etc/hostname", join(dir, "b"));
  await expect(publishFile(join(dir, "b.tmp"), join(dir, "b"))).rejects.toMatchObject({ code: "OUTPUT" });
  expect(readlinkSync(join(dir, "b"))).toBe("/etc/hostname");
});

test("outputFileError: ENOSPC is NO_SPACE naming -os and the fix", () => {
  const e = outputFileError("/o/g.xml", Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
  expect(e.code).toBe("NO_SPACE");
  expect(e.message).toBe("no space left in -os /o while writing /o/g.xml; free space there or choose another -os");
});

test("copyError: qemu-img's 'No space left on device' becomes one NO_SPACE line naming -os", () => {
  const ce = new CommandError(["qemu-img", "convert"], { exitCode: 1, stderr: "qemu-img: error while writing at byte 123: No space left on device\n", timedOut: false });
  const e = copyError(ce, "/out/g-sda", "1/2");
  expect(e).toBeInstanceOf(V2vError);
  expect((e as V2vError).code).toBe("NO_SPACE");
  expect((e as V2vError).message).toBe("no space left on device in -os /out while copying disk 1/2; free space there or choose another -os");
});

test("copyError: any other qemu-img failure is one OUTPUT line with the disk, the target, qemu-img's last line and the fix", () => {
  const other = new CommandError(["qemu-img", "convert"], { exitCode: 1, stderr: "qemu-img: warning: x\nqemu-img: Could not open '/out/g-sda.part': Permission denied\n", timedOut: false });
  expect(other).toBeInstanceOf(V2vError);
  expect(other.code).toBe("COMMAND");
  const e = copyError(other, "/out/g-sda", "1/1");
  expect(e.code).toBe("OUTPUT");
  expect(e.message).toBe("copying disk 1/1 to /out/g-sda failed (qemu-img: qemu-img: Could not open '/out/g-sda.part': Permission denied); check that -os /out is writable and healthy, then run v2v again (-v -x shows the whole command)");
  expect(e.cause).toBe(other);
  // An error that already is a sentence with a code passes through.
  const planned = new V2vError("NO_SPACE", "x");
  expect(copyError(planned, "/out/g-sda", "1/1")).toBe(planned);
});

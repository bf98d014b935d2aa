// Infrastructure trouble against product failures: a cell is BROKEN only when nothing but the
// appliance, the container engine or qemu's start went wrong; any real check failure keeps it FAIL.
import { describe, expect, test } from "vitest";
import { brokenBy, infrastructureTrouble } from "../../../src/harness/matrix/infrastructure.js";
import { judgeCell, NO_CHECK_RAN } from "../../../src/harness/matrix/run-cell.js";
import { NEGATIVE_CONTROL_BOOTED } from "../../../src/harness/boot/boot-checks.js";
import { tailOf, withTail } from "../../../src/guest/guestfish.js";

describe("infrastructureTrouble", () => {
  test.each([
    ["libguestfs: run: no answer after 480 s; the appliance was stopped", "the libguestfs appliance did not start"],
    ["libguestfs: start: guestfish --listen did not print its PID", "the libguestfs appliance did not start"],
    ["libguestfs: mount: no answer after 1800 s; the appliance was stopped", "the libguestfs appliance stopped answering"],
    ["libguestfs: inspect-os: call launch before using this function", "the libguestfs appliance died"],
    ["libguestfs: add-drive: the command did not reach the guestfish server (pid 42): guestfish: remote: cannot connect", "a command never reached the guestfish server"],
    ["libguestfs: sh: child process died unexpectedly", "the libguestfs appliance died"],
    ["(HTTP code 500) server error - failed to create task for container", "the container engine failed"],
    ["Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", "the container engine failed"],
  ])("%s", (text, label) => {
    expect(infrastructureTrouble(text)).toBe(label);
  });

  test.each([
    "fstab names no device that is not on virtio-blk: stale entries: line 3: /dev/sda1 /",
    "libguestfs: mount: mount: /dev/sda1: wrong fs type",
    "timeout after 900 s",
    "exit status 1: inspection found no operating system on a.raw",
    "",
  ])("a product failure is not infrastructure: %s", (text) => {
    expect(infrastructureTrouble(text)).toBeUndefined();
  });
});

describe("brokenBy and judgeCell", () => {
  const infra = { name: "v2v converts the guest", ok: false, detail: "exit status 1: libguestfs: run: no answer after 480 s; the appliance was stopped" };
  const product = { name: "fstab", ok: false, detail: "stale entries: line 3: /dev/sda1 /" };
  const ok = { name: "x", ok: true, detail: "fine" };

  test("only infrastructure failures: BROKEN, with the label first in the reason", () => {
    expect(brokenBy(undefined, [infra.detail])).toEqual({ label: "the libguestfs appliance did not start", text: infra.detail });
    expect(brokenBy("the harness stopped: libguestfs: start: no PID", [])).toEqual({ label: "the libguestfs appliance did not start", text: "the harness stopped: libguestfs: start: no PID" });
    expect(brokenBy("the harness stopped: no image", [])).toBeUndefined();
    expect(judgeCell([ok, infra])).toEqual({ status: "broken", reason: `BROKEN (the libguestfs appliance did not start): ${infra.name}: ${infra.detail}` });
    expect(judgeCell([ok], "the harness stopped: Cannot connect to the Docker daemon at unix:///var/run/docker.sock").status).toBe("broken");
  });

  test("a product failure beside it, a harness error of the product's, or no failure at all: not BROKEN", () => {
    expect(brokenBy(undefined, [infra.detail, product.detail])).toBeUndefined();
    expect(judgeCell([infra, product]).status).toBe("fail");
    expect(judgeCell([ok], "the harness stopped: no image").status).toBe("fail");
    // The boot container failed after a static check had already said no: FAIL, not BROKEN.
    expect(judgeCell([product], "the harness stopped: Cannot connect to the Docker daemon").status).toBe("fail");
    expect(brokenBy("the harness stopped: Cannot connect to the Docker daemon", [product.detail])).toBeUndefined();
    expect(brokenBy(undefined, [])).toBeUndefined();
    expect(judgeCell([]).reason).toBe(NO_CHECK_RAN);
  });

  test("a negative control that booted is never hidden as infrastructure", () => {
    const neg = { name: "negative control", ok: false, detail: `${NEGATIVE_CONTROL_BOOTED} (V2V-BOOT-REPORT root=/dev/vda1)` };
    expect(judgeCell([neg, infra]).status).toBe("fail");
  });
});

describe("the appliance's log tail", () => {
  test("the last 25 non-blank lines, without control characters", () => {
    const lines = ["", ...Array.from({ length: 30 }, (_, i) => `line ${i}\x1b[0m\r`), "  ", ""];
    const tail = tailOf(lines);
    expect(tail).toHaveLength(25);
    expect(tail[0]).toBe("line 5[0m");
    expect(tail[24]).toBe("line 29[0m");
  });
  test("appended under a heading, or nothing when empty", () => {
    expect(withTail(["a", "b"])).toBe("\nthe appliance's last log lines:\na\nb");
    expect(withTail([])).toBe("");
  });
});

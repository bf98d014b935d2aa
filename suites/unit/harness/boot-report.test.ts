// The boot-report line: parsing what the guest prints, spotting failure sentinels, and the
// guest-side script being valid sh and printing one line that parses.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { run } from "../../../src/host/exec.js";
import {
  BOOT_REPORT_PREFIX, findFailureLine, findReportLine, parseBootReport, renderBootReportScript, renderBootReportUnit,
} from "../../../src/harness/boot/boot-report.js";

const LINE = "V2V-BOOT-REPORT root=/dev/vda1 kernel=6.1.0-27-amd64 virtio_blk=bound virtio_net=bound virtio_scsi=loaded fstab=ok nic=virtio_net disks=vda,vdb";

describe("parseBootReport", () => {
  test("reads every field of a converted guest's line", () => {
    const r = parseBootReport(LINE);
    expect(r).toMatchObject({
      root: "/dev/vda1", kernel: "6.1.0-27-amd64", virtioBlk: "bound", virtioNet: "bound", virtioScsi: "loaded",
      fstabOk: true, fstabMissing: [], nicDrivers: ["virtio_net"], disks: ["vda", "vdb"],
    });
  });

  test("drops console noise before the prefix and carriage returns", () => {
    const r = parseBootReport(`[   42.1] random: crng init done${LINE}\r`);
    expect(r?.root).toBe("/dev/vda1");
    expect(r?.disks).toEqual(["vda", "vdb"]);
  });

  test("an unconverted guest on IDE: no virtio, fstab mountpoints missing, no NIC", () => {
    const r = parseBootReport("V2V-BOOT-REPORT root=/dev/sda1 kernel=6.1.0-27-amd64 virtio_blk=absent virtio_net=absent virtio_scsi=absent fstab=missing:/srv/data,/boot nic=none disks=sda");
    expect(r).toMatchObject({ virtioBlk: "absent", fstabOk: false, fstabMissing: ["/srv/data", "/boot"], nicDrivers: [], disks: ["sda"] });
  });

  test("a swap entry that is not active, and the kernel's console", () => {
    const r = parseBootReport(`${LINE.replace("fstab=ok", "fstab=missing:swap:UUID=ab-12")} console=ttyS0`);
    expect(r).toMatchObject({ fstabOk: false, fstabMissing: ["swap:UUID=ab-12"], console: "ttyS0" });
    expect(parseBootReport(LINE)?.console).toBeUndefined();
  });

  test("keeps unknown fields and marks unreadable driver states", () => {
    const r = parseBootReport("V2V-BOOT-REPORT root=/dev/vda1 kernel=6.1 virtio_blk=maybe extra=1");
    expect(r?.virtioBlk).toBe("unknown");
    expect(r?.virtioNet).toBe("unknown");
    expect(r?.fields["extra"]).toBe("1");
  });

  test("is undefined without the prefix, or without root= and kernel=", () => {
    expect(parseBootReport("root=/dev/vda1 kernel=6.1")).toBeUndefined();
    expect(parseBootReport("V2V-BOOT-REPORT kernel=6.1")).toBeUndefined();
    expect(parseBootReport("V2V-BOOT-REPORTroot=/dev/vda1 kernel=6.1")).toBeUndefined();
  });
});

describe("findReportLine / findFailureLine", () => {
  const failing = [
    "Loading Linux 6.1.0-27-amd64 ...",
    "[    2.0] Unpacking initramfs...",
    "Begin: Running /scripts/local-premount ... done.",
    "Gave up waiting for root file system device.  Common problems:",
    "ALERT!  /dev/sda1 does not exist.  Dropping to a shell!",
    "(initramfs) ",
  ].join("\r\n");

  test("the initramfs giving up is a failure, the first such line is returned", () => {
    expect(findFailureLine(failing)).toBe("Gave up waiting for root file system device.  Common problems:");
  });

  test("ordinary boot lines, including the kernel's initramfs unpacking, are not failures", () => {
    expect(findFailureLine(failing.split("\r\n").slice(0, 3).join("\n"))).toBeUndefined();
    expect(findReportLine(failing)).toBeUndefined();
  });

  test("ALERT and kernel panics are failures on their own", () => {
    expect(findFailureLine("ALERT!  UUID=1234 does not exist.  Dropping to a shell!")).toMatch(/^ALERT!/);
    expect(findFailureLine("[ 3.1] Kernel panic - not syncing: VFS: Unable to mount root fs")).toMatch(/Kernel panic/);
  });
});

describe("guest-side pieces", () => {
  test("the script is valid POSIX sh and prints the prefix once to the serial port", async () => {
    const script = renderBootReportScript();
    const r = await run(["sh", "-n"], { input: script, timeoutMs: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(script).toMatch(/> \/dev\/ttyS0\n$/);
  });

  test("run on this host (serial port swapped for a file), it writes exactly one line that parses, with this host's facts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "v2v-boot-report-"));
    try {
      const sink = join(dir, "ttyS0");
      writeFileSync(sink, "");
      await run(["sh", "-c", renderBootReportScript().replace("> /dev/ttyS0", `> ${sink}`)], { timeoutMs: 60_000 });
      const lines = readFileSync(sink, "utf8").split("\n").filter((l) => l !== "");
      expect(lines).toHaveLength(1);
      expect(lines[0]!.startsWith(`${BOOT_REPORT_PREFIX} `)).toBe(true);
      const report = parseBootReport(lines[0]!);
      expect(Object.keys(report?.fields ?? {})).toEqual(["root", "kernel", "virtio_blk", "virtio_net", "virtio_scsi", "fstab", "nic", "disks", "console"]);
      expect(report?.kernel).toBe((await run(["uname", "-r"])).stdout.trim());
      expect(report?.root).toBe((await run(["findmnt", "-n", "-o", "SOURCE", "/"])).stdout.trim());
      for (const state of [report?.virtioBlk, report?.virtioNet, report?.virtioScsi]) expect(["bound", "loaded", "absent"]).toContain(state);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the unit is wanted by multi-user.target and not ordered after it (that would be a cycle)", () => {
    const unit = renderBootReportUnit();
    expect(unit).toContain("WantedBy=multi-user.target");
    expect(unit).not.toMatch(/After=.*multi-user\.target/);
  });
});

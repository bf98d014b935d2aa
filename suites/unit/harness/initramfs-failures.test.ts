// The negative control of the dracut guest ends in dracut's emergency shell: the boot watcher must
// call that a failure, with dracut's own line, instead of waiting for its deadline.
import { expect, test } from "vitest";
import { findFailureLine } from "../../../src/harness/boot/boot-report.js";
import { INITRAMFS_FAILURE_PATTERNS } from "../../../src/harness/boot/initramfs-failures.js";

// Lines of a real serial log (debian-12-dracut, unconverted, on virtio), escapes kept.
const WAITING = [
  "[  243.435722] dracut-initqueue[228]: Warning: dracut-initqueue: timeout, still waiting for following initqueue hooks:",
  '[  243.912452] dracut-initqueue[228]: Warning: /lib/dracut/hooks/initqueue/finished/devexists-\\x2fdev\\x2fsda1.sh: "if ! grep -q After=remote-fs-pre.target /run/systemd/generator/systemd-cryptsetup@*.service 2>/dev/null; then',
  "[  243.966990] dracut-initqueue[228]: Warning: dracut-initqueue: starting timeout scripts",
].join("\r\n");
const GAVE_UP = [
  "[  372.865571] dracut-initqueue[228]: Warning: Could not boot.",
  "         Starting \x1b[0;1;39mdracut-emergency.…ce\x1b[0m - Dracut Emergency Shell...",
  "Warning: /dev/sda1 does not exist",
  "Entering emergency mode. Exit the shell to continue.",
].join("\r\n");

test("dracut giving up on the root device is a failed boot, named by its first line", () => {
  expect(findFailureLine(`${WAITING}\r\n${GAVE_UP}`, INITRAMFS_FAILURE_PATTERNS)).toBe("[  372.865571] dracut-initqueue[228]: Warning: Could not boot.");
  expect(findFailureLine("Entering emergency mode. Exit the shell to continue.\r\n", INITRAMFS_FAILURE_PATTERNS)).toBe("Entering emergency mode. Exit the shell to continue.");
});

test("dracut's initqueue warnings while it still waits are not failures", () => {
  expect(findFailureLine(WAITING, INITRAMFS_FAILURE_PATTERNS)).toBeUndefined();
  expect(findFailureLine("[    1.2] dracut-pre-udev[150]: modprobe: FATAL: Module floppy not found\n", INITRAMFS_FAILURE_PATTERNS)).toBeUndefined();
});

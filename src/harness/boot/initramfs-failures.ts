// Console lines that mean an initramfs other than Debian's initramfs-tools gave up on the root
// device. dracut (the RHEL, Fedora and SUSE initramfs, also packaged by Debian) loops in its
// initqueue until rd.retry runs out, then says "Could not boot." and, once its emergency unit
// starts, "Entering emergency mode." Seen on the unconverted debian-12-dracut guest on virtio,
// 373 s into the boot under TCG: without these the watcher waited for its 420 s deadline and
// reported a timeout instead of the reason. The loop's earlier "timeout, still waiting for
// following initqueue hooks" lines are only warnings: a slow disk can still appear after them.
// (Kept out of boot-report.ts, which is part of every Debian guest's cache key.)
export const INITRAMFS_FAILURE_PATTERNS: readonly RegExp[] = [
  /dracut-initqueue\[\d+\]: Warning: Could not boot\./,
  /Entering emergency mode\. Exit the shell to continue\./,
];

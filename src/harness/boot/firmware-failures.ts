// Console lines that mean the firmware found nothing to boot. OVMF tries its boot options (the
// disks' removable-path loaders, then the network), says so, and drops into its UEFI shell, where
// it would wait forever: seen on a UEFI guest whose ESP has no EFI/BOOT/BOOTX64.EFI. SeaBIOS ends
// with "No bootable device". A boot that prints one of these has failed; waiting for the
// deadline would only cost minutes.
export const FIRMWARE_FAILURE_PATTERNS: readonly RegExp[] = [
  /BdsDxe: No bootable option or device was found/,
  /BdsDxe: starting Boot\d+ "EFI Internal Shell"/,
  /UEFI Interactive Shell v\d/,
  /No bootable device\./,
];

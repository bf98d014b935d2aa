/* A stand-in for a UEFI application (bootmgfw.efi, bootx64.efi) in the phony Windows guests:
 * a PE with subsystem 10 (EFI application) whose entry point returns EFI_UNSUPPORTED.
 * STUB_NAME makes each file's bytes differ. */
#ifndef STUB_NAME
#define STUB_NAME "efi-app"
#endif

typedef unsigned long long efi_status;

__attribute__((used)) static const char stub_name[] = "v2v-ts phony UEFI stub: " STUB_NAME;

efi_status efi_main(void *image, void *system_table) {
  (void)image;
  (void)system_table;
  return 0x8000000000000003ULL; /* EFI_UNSUPPORTED */
}

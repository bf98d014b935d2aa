/* A stand-in for a kernel driver (pvscsi.sys, vmci.sys, ...) in the phony Windows guests: a PE
 * with the native subsystem whose DriverEntry fails with STATUS_NOT_SUPPORTED. STUB_NAME makes
 * each driver's bytes differ. */
#ifndef STUB_NAME
#define STUB_NAME "driver"
#endif

__attribute__((used)) static const char stub_name[] = "v2v-ts phony driver stub: " STUB_NAME;

long DriverEntry(void *driver_object, void *registry_path) {
  (void)driver_object;
  (void)registry_path;
  return (long)0xC00000BBL; /* STATUS_NOT_SUPPORTED */
}

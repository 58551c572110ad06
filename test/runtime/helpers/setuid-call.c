/* Test helper: a non-root process asking for uid 0 with setuid(2) (what Falco's event-generator
 * does for "Non sudo setuid"). The call fails with EPERM; the attempt is what is detected. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
  if (setuid(0) != 0) perror("setuid(0)");
  return 0;
}

#include <stdio.h>
int main(void) { puts("skillhost " SKILLHOST_VERSION); return 0; }

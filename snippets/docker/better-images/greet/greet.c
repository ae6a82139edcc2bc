/* greet: says hello to each name on its command line, or just hello without one. */
#include <stdio.h>

int main(int argc, char *argv[])
{
    if (argc < 2) {
        puts("Hello!");
        return 0;
    }
    for (int i = 1; i < argc; i++)
        printf("Hello, %s!\n", argv[i]);
    return 0;
}

/* A minimal VGA text console for `console=vga`: light grey on black, scrolling, with the
 * hardware cursor following the text. ANSI escape sequences meant for the serial terminal
 * (the line editor's) are skipped, not drawn. */
#include <stdint.h>
#include "arch/vga.h"
#include "arch/io.h"
#include "lib/string.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x0700

static volatile uint16_t *const screen = (volatile uint16_t *)0xB8000;
/* The text is kept here and only written to the screen: reads of VGA memory are slow on
 * hardware and not reliable on every emulated adapter. */
static uint16_t shadow[ROWS * COLS];
static unsigned row, col;
static int esc;                 /* 0 none, 1 after ESC, 2 inside CSI */

static void move_cursor(void)
{
    uint16_t pos = (uint16_t)(row * COLS + col);
    outb(0x3D4, 0x0F);
    outb(0x3D5, (uint8_t)pos);
    outb(0x3D4, 0x0E);
    outb(0x3D5, (uint8_t)(pos >> 8));
}

static void scroll(void)
{
    memmove(shadow, shadow + COLS, sizeof(shadow[0]) * (ROWS - 1) * COLS);
    for (unsigned i = (ROWS - 1) * COLS; i < ROWS * COLS; i++)
        shadow[i] = ATTR | ' ';
    for (unsigned i = 0; i < ROWS * COLS; i++)
        screen[i] = shadow[i];
    row = ROWS - 1;
}

void vga_init(void)
{
    for (unsigned i = 0; i < ROWS * COLS; i++)
        screen[i] = shadow[i] = ATTR | ' ';
    row = col = 0;
    esc = 0;
    move_cursor();
}

/* One character through the tiny terminal. */
static void put(char c)
{
    if (esc == 1) {
        esc = (c == '[') ? 2 : 0;
        return;
    }
    if (esc == 2) {
        if (c >= 0x40 && c <= 0x7e)
            esc = 0;
        return;
    }
    switch (c) {
    case 0x1b: esc = 1; return;
    case '\r': col = 0; return;
    case '\n': col = 0; row++; break;
    case '\b': if (col) col--; return;
    default:
        if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
            return;
        shadow[row * COLS + col] = (uint16_t)(ATTR | (uint8_t)c);
        screen[row * COLS + col] = shadow[row * COLS + col];
        if (++col == COLS) {
            col = 0;
            row++;
        }
    }
    if (row == ROWS)
        scroll();
}

void vga_write(const char *s, size_t n)
{
    while (n--)
        put(*s++);
    move_cursor();
}

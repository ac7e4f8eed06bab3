# libFuzzer targets for the xl.cfg reader and the Multiboot guest image parser.
FUZZ_TARGETS += fuzz_xlcfg fuzz_mbimage
fuzz_xlcfg_SRCS := src/core/xlcfg.c src/core/xlcfg_spec.c src/core/xlcfg_disk.c src/core/xlcfg_vif.c \
                   src/core/xlcfg_cpus.c src/core/cpulist.c \
                   tests/fuzz/fuzz_xlcfg.c
fuzz_mbimage_SRCS := src/core/mbimage.c tests/fuzz/fuzz_mbimage.c

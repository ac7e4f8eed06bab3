# Objects of the operator's console: log ring, input switch, line editor, shell.
hv-objs += console/console.o console/log.o console/conring.o console/conswitch.o \
           console/loglevel.o console/lineedit.o console/shell.o console/cmd_log.o

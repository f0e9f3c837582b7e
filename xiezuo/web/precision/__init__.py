"""The precision pages: a county's 精准帮扶 page and the 监测 board with its cases."""

"""Writers: a report in, files out. The core never imports them."""

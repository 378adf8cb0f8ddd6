"""What machine a benchmark ran on, for the report."""

from __future__ import annotations

import os
import platform


def machine_description() -> str:
    processor = platform.processor()
    if not processor or processor == platform.machine():
        try:  # Linux leaves platform.processor() empty or equal to the architecture
            with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
                processor = next((line.split(":", 1)[1].strip() for line in cpuinfo
                                  if line.startswith("model name")), processor)
        except OSError:
            pass
    return f"{platform.machine()}, processor: {processor or 'unknown'}, os.cpu_count(): {os.cpu_count()}"

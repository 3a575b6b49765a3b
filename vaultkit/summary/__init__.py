"""The summary note: its view `derive`d from the store's facts, the block
`render`ed, the `ticks` read back from its boxes and judged (all pure), and
the `file` with the conflict copies sync clients leave beside it."""

"""The rolling summary note, in the order a run makes it (all pure but `file`):

- `derive`: the view, from the store's facts (conflict copies, links, unique
  ids, sections and their order, counts, the practice);
- `render`: the block between the markers, from the view;
- `ticks`: the boxes of a copy of the summary read back, and judged;
- `file`: the markers and the person's text around them, and the conflict
  copies sync clients leave beside the summary.
"""

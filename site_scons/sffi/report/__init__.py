"""Reports for people and for CI: one build's layers, a diff of two builds, a build matrix.

* :mod:`sffi.report.model`: the format-neutral :class:`~sffi.report.model.Report`;
* :mod:`sffi.report.render`: text, Markdown, JSON and HTML renderings of it;
* :mod:`sffi.report.layers`: ``sffi report``, declared/exported/table for one build;
* :mod:`sffi.report.diff_inputs`: the two sides of ``sffi diff OLD NEW``, read;
* :mod:`sffi.report.diff` and :mod:`sffi.report.suppress`: ``sffi diff OLD NEW``
  and abidiff-style suppression files;
* :mod:`sffi.report.matrix_file`: the matrix file of ``scons matrix``, read and validated;
* :mod:`sffi.report.matrix_run`: one selection's smoke runs and measurements;
* :mod:`sffi.report.matrix`: the report of ``scons matrix`` and the CI job matrix.
"""

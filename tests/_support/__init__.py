"""Importable helpers shared by the tests (``from _support.<module> import ...``).

Fixtures live in the ``conftest.py`` files (pytest finds them by itself); everything a test
module imports by name lives here, never in a ``conftest.py`` (``from conftest import`` picks
whichever ``conftest`` module was imported first, so it breaks as soon as two test folders are
collected together). ``tests/`` is put on ``sys.path`` by ``pythonpath = ["tests"]`` in
pyproject.toml, so this works for any subset of test paths and any ``--import-mode``; a
subprocess that must import these modules gets :func:`_support.paths.subprocess_env`.

Modules, by the stage they serve:

* :mod:`_support.paths`: the repository's test-data folders and the subprocess environment;
* :mod:`_support.signals`: real HARTH / HAR70+ / SELFBACK recordings as arrays, long stitched
  two-sensor signals;
* :mod:`_support.synth`: generated signals of known truth (pedalling, lying, thigh gait);
* :mod:`_support.activity`: ``Prepared`` builders, a tiny training configuration, segment lookup;
* :mod:`_support.batch`: small real ``.cwa`` cohorts and a light one-participant task;
* :mod:`_support.report_fixtures`, :mod:`_support.browser`: report inputs and headless Chromium.
"""

"""atheris targets over sffi's readers (fuzz/py/targets.py) and their runner."""

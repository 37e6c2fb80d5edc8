"""The demo: a realistic state of every part of taizhang, to look at, click through and measure.

Outside the domain apps (it builds all of them, so it sits above them all): ``build_demo`` builds the
org tree, the users and the campaign with its ledger (:mod:`.ledger`), then the reporting history
(:mod:`.reporting`), study (:mod:`.study`) and good practice with bulletins (:mod:`.bulletins`), each
through the apps' own actions, relative to the day it runs and the same for the same day.
``python manage.py demo`` (this package is an app for that command) runs it.
"""

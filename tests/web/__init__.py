"""Tests of the web faces: public site, home pages, portal, jobs, health, i18n."""

"""Reliability: agreement between coders, or between two codings of one coder (test-retest).

- ``matrix``: the reliability matrix (units × coders) every coefficient works on;
- ``coefficients``: percent agreement, Holsti, Scott, Cohen, Fleiss, Krippendorff, Gwet;
- ``bootstrap``: intervals for alpha (Hayes & Krippendorff 2007) and kappa;
- ``summary``: every coefficient the data supports, and the table for the supplement;
- ``retest``: the test-retest table (the article's Table 2) and which formula gives its percentage;
- ``intercoder``: agreement on coded text (MAXQDA's measures; Krippendorff's alpha family as ATLAS.ti
  reports it);
- ``files`` and ``report``: the ``reliability`` command's input files and printed report.

May import: the base only (screening and publish both use it).
"""

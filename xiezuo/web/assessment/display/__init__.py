"""Shape stored assessment results for the pages: no queries, only arrangement and arithmetic.

One module per page (`scorecard`, `unit`, `drill`) and the numbers, bands and labels they share
(`_common`); the views read them as `display.<name>`.
"""

from xiezuo.web.assessment.display._common import (
    BAND_LABELS,
    KIND_TEXT,
    SIDES,
    band,
    drill_url,
    figure,
    percent,
    plain,
    share,
    unit_label,
    unit_url,
)
from xiezuo.web.assessment.display.drill import (
    RecordTable,
    computation,
    record_table,
    source_titles,
)
from xiezuo.web.assessment.display.scorecard import (
    AreaGroup,
    Cell,
    Column,
    Row,
    area_groups,
    cell,
    columns,
    programme_row,
    scorecard_rows,
)
from xiezuo.web.assessment.display.unit import (
    AlertLine,
    AreaScore,
    ItemView,
    ResultLine,
    TrendLine,
    alert_lines,
    area_profile,
    chart_data,
    item_views,
    result_lines,
    trend_table,
    unit_type_label,
)

__all__ = [
    "BAND_LABELS",
    "KIND_TEXT",
    "SIDES",
    "AlertLine",
    "AreaGroup",
    "AreaScore",
    "Cell",
    "Column",
    "ItemView",
    "RecordTable",
    "ResultLine",
    "Row",
    "TrendLine",
    "alert_lines",
    "area_groups",
    "area_profile",
    "band",
    "cell",
    "chart_data",
    "columns",
    "computation",
    "drill_url",
    "figure",
    "item_views",
    "percent",
    "plain",
    "programme_row",
    "record_table",
    "result_lines",
    "scorecard_rows",
    "share",
    "source_titles",
    "trend_table",
    "unit_label",
    "unit_type_label",
    "unit_url",
]

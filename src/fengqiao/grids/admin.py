from django.contrib import admin

from fengqiao.core.admin import JurisdictionAdmin
from fengqiao.grids.models import GridNode


@admin.register(GridNode)
class GridNodeAdmin(JurisdictionAdmin):
    list_display = ["code", "name", "level", "kind", "households", "population"]
    list_filter = ["level", "kind"]
    search_fields = ["code", "name"]
    readonly_fields = [
        "path",
        "depth",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "centroid_lon",
        "centroid_lat",
    ]
    raw_id_fields = ["parent"]
    list_per_page = 50
    show_full_result_count = False

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fengqiao.core.admin import CONFIG_EDIT_ROLES, CONFIG_VIEW_ROLES, NOBODY, JurisdictionAdmin, ReadOnlyAdmin
from fengqiao.grids.models import GridNode, GridVersion


@admin.register(GridNode)
class GridNodeAdmin(JurisdictionAdmin):
    """The grid tree is base configuration: the system administrator edits it inside their jurisdiction."""

    view_roles = CONFIG_VIEW_ROLES
    add_roles = CONFIG_EDIT_ROLES
    change_roles = CONFIG_EDIT_ROLES
    delete_roles = NOBODY
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


@admin.register(GridVersion)
class GridVersionAdmin(ReadOnlyAdmin):
    list_display = ["version_number"]

    @admin.display(description=_("版本号"))
    def version_number(self, obj: GridVersion) -> int:
        return obj.version

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("coming soon")


home = robots_txt = lookup = api_code = index_table = pcs_index = modifier_list = modifier = _todo
browse = browse_node = code_page = ptp_edits = _todo

"""The seed's campaign, as a template to start from: five categories, three phases, 19 aspects / 39 key tasks.

From the 2021 report the project was made from (项目化实施、清单化推进、体系化落实): the list's five
contents, its three phases, and the plan's main structure as an example tree the office edits.
"""

from .models import Scope


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines() if line.strip()]


SERVE, CARE, MILITARY, RURAL, PARTNER = "服务基层", "关爱员工", "为军惠军", "助力乡村振兴", "支持合作伙伴"
CATEGORIES = [
    (SERVE, Scope.INSIDE),
    (CARE, Scope.INSIDE),
    (MILITARY, Scope.OUTSIDE),
    (RURAL, Scope.OUTSIDE),
    (PARTNER, Scope.OUTSIDE),
]
PHASES = ["筹划部署", "组织实施", "检查验收"]

# The plan: 19 aspects, 39 key tasks (aspect | its key tasks, split on "；").
KEY_TASKS = _rows("""
    专题学习     | 党委理论学习中心组专题学习；党支部专题组织生活
    政治引领     | 领导干部讲专题党课；召开专题民主生活会和组织生活会
    宣讲培训     | 组建宣讲团深入基层宣讲；举办专题读书班；开展党员全员轮训
    实践活动     | 开展主题党日活动；组织“重走红色路”教育实践
    办实事清单   | 把脉问诊拉清单；清单项目动态更新清理
    关爱员工     | 解决职工急难愁盼问题；完善困难职工帮扶机制
    服务基层     | 领导干部联系点实地巡诊；机关服务基层和基层减负
    为军惠军     | 服务保障部队；关爱军人军属和退役军人
    助力乡村振兴 | 定点帮扶和产业帮扶；消费帮扶
    支持合作伙伴 | 及时支付中小企业款项；优化合作服务
    开门问策     | 走下去听、请上来讲、坐下来议；意见建议征集办理
    作风建设     | 整治形式主义官僚主义；精文减会
    改革发展     | 破解改革发展难题；提质增效专项行动
    安全稳定     | 安全生产专项整治；矛盾纠纷排查化解
    数字化转型   | 智慧办公；数据共享和业务上线
    文化阵地     | 红色教育基地建设；企业文化和职工文化
    典型引领     | 先进典型选树；特色样板项目打造
    宣传交流     | 集团报刊、网站和公众号专栏；工作简报和经验交流
    督导考核     | 督导巡回检查；考核评价和奖惩
""")

# The plan's "construction drawings" (施工图纸). The seed names three preparations, four links and
# three combinations of six each; the rest are examples in the same spirit, for the office to edit.
PREPARATIONS = ["定好实施方案", "备好学习资料", "建好工作机构", "制定任务清单", "开展动员部署", "营造宣传氛围"]
LINKS = ["专题学习", "政治引领", "专题培训", "实践活动", "专题组织生活会", "总结评估"]
COMBINATIONS = [
    "与服从党和国家大局相结合",
    "与促进主业中心相结合",
    "与弘扬党的优良传统作风相结合",
    "与解决职工群众急难愁盼问题相结合",
    "与深化改革发展相结合",
    "与加强基层党组织建设相结合",
]
# Which link (环节) each of the 19 aspects falls under, by the aspect's number.
ASPECT_LINKS = {
    1: "专题学习",
    2: "政治引领",
    3: "专题培训",
    4: "实践活动",
    5: "实践活动",
    6: "实践活动",
    7: "实践活动",
    8: "实践活动",
    9: "实践活动",
    10: "实践活动",
    11: "实践活动",
    12: "专题组织生活会",
    13: "政治引领",
    14: "政治引领",
    15: "实践活动",
    16: "专题学习",
    17: "总结评估",
    18: "专题学习",
    19: "总结评估",
}

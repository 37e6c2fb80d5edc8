"""The demo campaign: a realistic 我为群众办实事 ledger to look at, click through and measure.

:func:`build_demo` builds, in one transaction and only what is missing:

- the org tree: 中国融通集团 with its 10 HQ departments and 8 subsidiaries,
  each subsidiary with 2–4 sub-units (hospitals, farms, branches …), with
  short names and aliases (some in traditional characters), through
  ``orgs.actions.create_unit`` so paths and history are right;
- the campaign ``2026`` (2026年“我为群众办实事”实践活动), dated relative to
  today: it started about eight months ago and ends in about two months, with
  its five categories, three phases and the plan's 19 aspects / 39 key tasks;
- about 600 items: the 20 HQ items the seed names (优化OA系统, 简化工作流程,
  推进员工福利平台, 帮助单身青年员工解决婚恋问题 …) and ~580 subsidiary items
  generated from templates per category by ``random.Random(2026)``, so every
  run builds the same list; partner units, leaders and people responsible,
  deadlines as dates and as written ("6月底前", "长期坚持"), a few sub-items
  with weights, a few withdrawn or merged items, a few written in traditional
  characters (so the search has 醫療 to find);
- weekly progress history (Fridays around 16:00 Asia/Shanghai, by the unit's
  liaison, ``source=demo``), shaped so every light (green, blue, yellow, red)
  and every status (not started, in progress, completed, withdrawn) appears;
- demo users, one per role plus a liaison per HQ department and subsidiary,
  sharing one password, with their role grants and the leader's contact points.

Running it again changes nothing: units, users, grants and contact points are
looked up before they are made, and an existing campaign ``2026`` is left as it
is (passwords of existing users too). Items and progress are written through
the ledger's bulk actions (``create_items``, ``add_progress_many``), the same
road as the pages and the import: search text, lights and history come from it.
"""

import datetime
import os
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from opencc import OpenCC

from taizhang.campaigns.actions import create_campaign, seed_plan
from taizhang.campaigns.models import Campaign, Category, KeyTask, Phase
from taizhang.campaigns.seed import CARE, CATEGORIES, KEY_TASKS, MILITARY, PARTNER, PHASES, RURAL, SERVE
from taizhang.history.models import HistoryEntry
from taizhang.ledger import actions
from taizhang.ledger.actions import withdraw_item
from taizhang.ledger.lights import (
    expected_percent,
    refresh_lights,
)
from taizhang.ledger.models import Item, ProgressEntry, Status
from taizhang.lib.periods import week_key
from taizhang.orgs.actions import create_unit, grant_role, system_actor
from taizhang.orgs.models import ContactPoint, Role, Unit, User

from . import assessment as assessment_demo
from . import bulletins as bulletins_demo
from . import closing as closing_demo
from . import inspections as inspections_demo
from . import keytasks as keytasks_demo
from . import lifecycle as lifecycle_demo
from . import meetings as meetings_demo
from . import reporting as reporting_demo
from . import study as study_demo
from . import supervision as supervision_demo

CAMPAIGN_SLUG = "2026"
CAMPAIGN_NAME = "2026年“我为群众办实事”实践活动"
DEFAULT_PASSWORD = "taizhang-demo"
SEED = 2026
# What the demo's plans say of an item; the rest the ledger derives.
DEMO_FIELDS = (
    "code",
    "title",
    "content",
    "measures",
    "category",
    "phase",
    "scope",
    "key_task",
    "owner_unit",
    "lead",
    "owner",
    "starts_on",
    "due",
    "due_text",
    "weight",
    "note",
    "completed_on",
)


def default_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


# The data, as tables: one row a line, cells split on "|", lists inside a cell on "；" or "、".


def _rows(table: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.split("|")] for line in table.strip().splitlines() if line.strip()]


def _list(cell: str) -> list[str]:
    return [part for part in cell.split("、") if part]


# The org tree ---------------------------------------------------------------------------------------------------

GROUP = {"name": "中国融通集团", "short_name": "集团", "aliases": ["融通集团", "中國融通集團", "融通"]}

# name | short name | aliases | liaison's name
DEPARTMENTS = _rows("""
    集团办公室   | 办公室 | 总部办公室、集團辦公室     | 王芳
    党群工作部   | 党群   | 党委工作部、党建工作部     | 周晓燕
    人力资源部   | 人力   | 人资部、组织人事部         | 吴海涛
    财务部       | 财务   | 财务管理部、財務部         | 郑丽华
    战略规划部   | 战略   | 战略发展部、规划部         | 冯志远
    运营管理部   | 运营   | 运营部、經營管理部         | 陈思远
    安全生产部   | 安全   | 安全生产监督部、安监部     | 杨建军
    法律合规部   | 法务   | 法律事务部、合规部         | 韩雪
    纪检监察室   | 纪检   | 纪委办公室、纪检组         | 曹明
    信息化管理部 | 信息化 | 信息中心、数字化部         | 许文博
""")


@dataclass(frozen=True)
class SubsidiarySpec:
    """One subsidiary of the demo tree: its sub-units, its places and what its own items are about."""

    prefix: str
    name: str
    short_name: str
    aliases: str
    liaison: str
    items: int
    places: str
    subunits: str  # name | short name | aliases
    specials: str  # title | category | problem | measures | 繁 when written in traditional characters

    @property
    def subunit_rows(self) -> list[list[str]]:
        return _rows(self.subunits)

    @property
    def special_rows(self) -> list[list[str]]:
        return _rows(self.specials)


SUBSIDIARIES = [
    SubsidiarySpec(
        "NY", "融通农业发展有限公司", "融通农发", "农业公司、融通農業發展、农发公司", "马春燕", 90,
        "一分场、二分场、三分场、牧业队、农机站",
        """
        宝泉岭农场     | 宝泉岭   |
        山丹马场       | 山丹     | 山丹軍馬場
        融通种业分公司 | 种业公司 |
        """,
        """
        农机作业社会化服务         | 助力乡村振兴 | 周边农户农机作业难、成本高 | 组建农机服务队；为周边农户提供代耕代收服务；收费低于市场价 |
        助农产品线上销售           | 助力乡村振兴 | 周边农户农产品销售难 | 开设线上销售店铺；统一品牌包装；组织直播带货 |
        职工家属区饮水改造         | 关爱员工 | 职工家属区自来水管网老化、水质浑浊 | 更换供水管网；建设净水站；定期公布水质检测结果 | 繁
        为驻地部队供应优质农副产品 | 为军惠军 | 驻地部队农副产品供应渠道单一 | 建立定点供应基地；实行直供配送；保障质量和价格 |
        """,
    ),
    SubsidiarySpec(
        "YL", "融通医疗健康有限公司", "融通医疗", "医疗公司、融通醫療健康、融通医疗健康公司", "高静", 84,
        "门诊部、体检中心、医技科室",
        """
        八一骨科医院 | 骨科医院 | 八一骨科醫院
        融通总医院   | 总医院   |
        融通康复医院 | 康复医院 |
        健康管理中心 | 健康中心 |
        """,
        """
        开展公益义诊活动       | 助力乡村振兴 | 偏远基层单位和帮扶村群众就医难 | 组织专家医疗队巡回义诊；免费发放常用药品；建立随访档案 | 繁
        军人就医绿色通道       | 为军惠军 | 军人军属就医排队时间长 | 设立军人优先窗口；开通预约挂号专线；提供陪诊服务 |
        门诊预约挂号优化       | 服务基层 | 门诊挂号排队时间长 | 上线分时段预约挂号；增设自助机；推行诊间结算 |
        家庭医生签约服务       | 关爱员工 | 职工慢性病管理缺乏跟踪 | 组建家庭医生团队；为职工签约建档；定期随访 | 繁
        远程会诊中心建设       | 服务基层 | 基层医疗机构诊疗能力弱 | 建设远程会诊中心；联通基层卫生室；开展远程培训 |
        医护人员值班休息室改造 | 关爱员工 | 医护人员值班休息条件差 | 改造值班休息室；配置独立卫浴；改善夜班餐食 |
        """,
    ),
    SubsidiarySpec(
        "ZC", "融通资产管理有限公司", "融通资产", "资产公司、融通資產管理", "唐伟", 66,
        "机关、房产运营部、资产处置中心",
        """
        北京分公司 | 北京分公司 |
        华东分公司 | 华东分公司 | 華東分公司
        西南分公司 | 西南分公司 |
        """,
        """
        老旧房产安全鉴定       | 服务基层 | 部分老旧房产存在结构安全隐患 | 委托专业机构鉴定；对危房实施加固；建立房产安全档案 |
        小微企业租户租金减免   | 支持合作伙伴 | 小微企业租户经营困难 | 落实租金减免政策；简化申请手续；按月跟踪落实情况 |
        租户服务热线开通       | 支持合作伙伴 | 租户报修和咨询渠道不畅 | 开通租户服务热线；建立报修台账；限时响应 |
        """,
    ),
    SubsidiarySpec(
        "DC", "融通地产有限公司", "融通地产", "地产公司、融通置业", "彭辉", 70,
        "机关、营销中心",
        """
        融通物业服务公司 | 物业公司   |
        城市更新事业部   | 城市更新部 |
        工程建设管理中心 | 工程中心   |
        """,
        """
        老旧小区加装电梯         | 关爱员工 | 老旧小区老年住户上下楼难 | 征求住户意见；办理审批手续；分批加装电梯 |
        物业报修响应提速         | 服务基层 | 物业报修响应慢、维修质量不高 | 开通线上报修；实行维修限时承诺；开展满意度回访 |
        军队离退休干部住房维修   | 为军惠军 | 部分军队离退休干部住房老化 | 逐户排查房屋状况；制定维修方案；完成维修改造 |
        """,
    ),
    SubsidiarySpec(
        "WT", "融通文旅有限公司", "融通文旅", "文旅公司、融通旅游", "谢雨", 62,
        "机关、景区运营部",
        """
        北戴河疗养院   | 北戴河   |
        三亚度假酒店   | 三亚酒店 |
        融通国际旅行社 | 旅行社   | 融通國際旅行社
        """,
        """
        官兵疗休养服务     | 为军惠军 | 部队官兵疗休养服务需求增长 | 制定官兵疗休养方案；提供优惠价格；完善配套服务 |
        职工疗休养         | 关爱员工 | 一线职工疗休养机会少 | 安排一线职工疗休养；优先安排劳模和先进；组织健康体检 |
        帮扶村乡村旅游开发 | 助力乡村振兴 | 帮扶村旅游资源开发不足 | 编制乡村旅游规划；培训民宿经营户；开通旅游线路 |
        """,
    ),
    SubsidiarySpec(
        "KJ", "融通科技有限公司", "融通科技", "科技公司、融通數科", "邓磊", 60,
        "机关、运维中心、客服中心",
        """
        软件研发中心     | 研发中心 |
        融通数据服务公司 | 数据公司 |
        """,
        """
        移动办公应用上线   | 服务基层 | 基层职工移动办公需求强烈 | 开发移动办公应用；打通审批和通知功能；开展使用培训 |
        基层单位网络提速   | 服务基层 | 偏远基层单位网速慢、信号差 | 升级专线带宽；部署无线网络；建立运维响应机制 |
        供应商电子结算平台 | 支持合作伙伴 | 供应商结算手续繁琐 | 建设电子结算平台；对接财务系统；实现在线对账 |
        """,
    ),
    SubsidiarySpec(
        "WL", "融通物流有限公司", "融通物流", "物流公司、融通物流集团", "蒋涛", 78,
        "机关、车队、调度中心",
        """
        华北物流园     | 华北物流园 |
        西北仓储中心   | 西北仓储   |
        冷链运输分公司 | 冷链公司   | 冷鏈運輸分公司
        """,
        """
        司机之家建设     | 关爱员工 | 货车司机休息、就餐、洗浴不便 | 建设司机之家；提供休息、就餐和洗浴服务；设立健康驿站 |
        军需物资运输保障 | 为军惠军 | 部队物资运输时效要求高 | 开通军需物资运输专线；优先调配运力；全程跟踪 |
        农产品冷链进城   | 助力乡村振兴 | 帮扶地区农产品运输损耗大 | 开通冷链运输专线；建设产地预冷设施；降低运输费用 |
        """,
    ),
    SubsidiarySpec(
        "SW", "融通商务服务有限公司", "融通商务", "商务公司、融通商務服務", "罗佳", 70,
        "机关、客户服务部",
        """
        会议服务中心     | 会议中心 |
        融通餐饮服务公司 | 餐饮公司 |
        """,
        """
        会议服务标准化     | 服务基层 | 会议服务质量参差不齐 | 制定会议服务标准；开展服务人员培训；建立评价反馈机制 |
        食品安全追溯       | 关爱员工 | 职工关心食堂食品安全 | 建立食材溯源系统；实行明厨亮灶；定期公示检测结果 |
        中小供应商账期缩短 | 支持合作伙伴 | 中小供应商付款周期长 | 优化付款审批；将账期缩短至30天以内；按月通报 |
        """,
    ),
]  # fmt: skip

# username | name | role | unit (a first-level unit; empty: the group)
STAFF = _rows("""
    office    | 欧阳晓静 | office    | 党群工作部
    leader    | 刘建国   | leader    |
    liaison   | 李娜     | liaison   | 集团办公室
    inspector | 赵志刚   | inspector | 纪检监察室
    assessor  | 孙丽萍   | assessor  | 人力资源部
""")
LEADER_CONTACT_POINTS = ["融通农业发展有限公司", "融通医疗健康有限公司", "融通物流有限公司"]

# The campaign ---------------------------------------------------------------------------------------------------

CATEGORY_WEIGHTS = {SERVE: 30, CARE: 35, MILITARY: 11, RURAL: 13, PARTNER: 11}
CATEGORY_ENDINGS = {
    SERVE: "切实为基层减负赋能",
    CARE: "不断增强职工群众的获得感、幸福感、安全感",
    MILITARY: "用心用情服务部队官兵",
    RURAL: "助力巩固拓展脱贫攻坚成果、全面推进乡村振兴",
    PARTNER: "营造互利共赢的良好合作环境",
}
CATEGORY_KEY_TASKS = {
    SERVE: ["5.2", "7.1", "7.2", "12.2"],
    CARE: ["6.1", "6.2"],
    MILITARY: ["8.1", "8.2"],
    RURAL: ["9.1", "9.2"],
    PARTNER: ["10.1", "10.2"],
}
# Which HQ departments (by position in DEPARTMENTS) help on which kind of item.
CATEGORY_PARTNERS = {SERVE: [5, 6, 9], CARE: [1, 2], MILITARY: [5], RURAL: [1, 4], PARTNER: [3, 7]}


# HQ's 20 items: department | title | category | problem | measures | key task | partner departments
HQ_ITEMS = _rows("""
    集团办公室   | 优化OA系统 | 服务基层 | OA系统运行卡顿、流程节点多，移动端功能不全，基层反映办文效率低 | 升级OA服务器和数据库；精简公文流转节点；上线移动办公客户端 | 15.1 | 信息化管理部
    集团办公室   | 简化工作流程 | 服务基层 | 请示报告事项多、审批链条长，基层办事来回跑 | 全面梳理总部审批事项；取消和下放一批审批权限；公布办事指南和办理时限 | 12.1 | 法律合规部
    人力资源部   | 推进员工福利平台 | 关爱员工 | 员工福利发放方式单一、选择余地小，异地员工领取不便 | 建设线上员工福利平台；引入多家优质供应商；实行积分制自主选择 | 6.2 | 财务部、信息化管理部
    党群工作部   | 帮助单身青年员工解决婚恋问题 | 关爱员工 | 基层单位地处偏远、工作繁忙，单身青年员工交友渠道窄 | 建立单身青年员工信息库；联合驻地单位举办联谊活动；搭建线上交友平台 | 6.1 |
    集团办公室   | 改善总部职工食堂就餐环境 | 关爱员工 | 食堂就餐高峰排队时间长、菜品种类少 | 改造取餐区和就餐区；增设特色窗口和夜餐；每季度开展满意度测评 | 6.1 |
    集团办公室   | 开通职工通勤班车 | 关爱员工 | 新办公区交通不便，职工通勤时间长 | 调研职工居住分布；开通4条通勤班车线路；根据职工反馈动态调整 | 6.1 | 运营管理部
    人力资源部   | 组织职工健康体检 | 关爱员工 | 体检项目针对性不强，慢性病筛查缺失 | 增加肿瘤标志物等体检项目；建立职工健康档案；开展健康知识讲座 | 6.1 |
    人力资源部   | 改善青年员工公寓条件 | 关爱员工 | 青年员工公寓设施老旧、配套不全 | 改造公寓水电设施；配齐空调和热水器；增设洗衣房和自习室 | 6.1 | 集团办公室
    党群工作部   | 建设职工书屋和文体活动中心 | 关爱员工 | 职工业余文化生活单调、活动场地不足 | 改造闲置用房建设职工书屋；配置健身器材；组织读书和文体活动 | 16.2 |
    党群工作部   | 开办职工子女暑期托管班 | 关爱员工 | 双职工子女暑假无人照看 | 开设暑期托管班；聘请专业老师；落实安全管理措施 | 6.1 | 人力资源部
    财务部       | 简化费用报销流程 | 服务基层 | 报销单据多、审批环节多、到账慢 | 推行电子发票和网上报销；压缩审批环节；报销到账时间缩短至5个工作日 | 12.1 | 信息化管理部
    财务部       | 清理拖欠中小企业账款 | 支持合作伙伴 | 个别单位存在拖欠中小企业账款现象 | 全面排查应付账款；制定清欠计划并按月通报；建立防拖欠长效机制 | 10.1 | 法律合规部
    战略规划部   | 推进定点帮扶县产业项目 | 助力乡村振兴 | 定点帮扶县产业基础薄弱、带动能力弱 | 引进特色种养项目；组织消费帮扶；选派干部驻村指导 | 9.1 | 党群工作部
    运营管理部   | 为驻地部队提供优质服务保障 | 为军惠军 | 驻地部队生活保障需求多样 | 建立军地沟通协调机制；提供优质生活保障服务；定期征求部队意见 | 8.1 |
    运营管理部   | 开通军人军属优先办理窗口 | 为军惠军 | 军人军属办事排队时间长 | 在服务大厅设立优先窗口；公布优待服务事项；开展满意度回访 | 8.2 | 集团办公室
    安全生产部   | 安全生产培训送到基层 | 服务基层 | 基层一线安全培训覆盖不全、形式单一 | 组建安全培训讲师团；深入基层开展现场培训；建设线上培训课程库 | 14.1 | 人力资源部
    法律合规部   | 为基层单位提供法律咨询服务 | 服务基层 | 基层单位合同纠纷和用工风险应对能力弱 | 开通法律咨询热线；编印常见法律问题手册；开展法律服务进基层 | 7.2 |
    法律合规部   | 压缩合同审批时限 | 支持合作伙伴 | 合同审批环节多、用时长，合作方反映强烈 | 优化合同审批流程；推行合同在线审批；明确各环节办理时限 | 10.2 | 财务部
    纪检监察室   | 畅通群众诉求反映渠道 | 服务基层 | 群众反映问题渠道不畅、答复不及时 | 开通诉求受理热线和网上信箱；建立首问负责制；限时办结并回访 | 11.2 | 集团办公室
    信息化管理部 | 建设视频会议和移动办公系统 | 服务基层 | 基层参会往返奔波、办公不便 | 建设覆盖各级单位的视频会议系统；上线移动办公应用；开展使用培训 | 15.1 | 集团办公室
""")
HQ_SCENARIOS = {"优化OA系统": "on_track", "简化工作流程": "ongoing"}

# Item templates per category: title | problem | measures | key task
STEMS = {
    SERVE: _rows("""
        基层办公设备更新         | 基层办公设备老化、网络时断时续 | 摸清设备底数；集中采购更新电脑和打印机；升级办公网络带宽 | 7.2
        基层报表精简             | 基层报表种类多、重复填报 | 清理合并各类统计报表；建立统一数据填报平台；每季度评估减负成效 | 12.2
        厂区道路维修             | 厂区道路破损严重、雨天积水 | 勘察破损路段；实施道路硬化和排水改造；完善夜间照明 | 7.1
        饮用水安全提升           | 部分点位饮用水水质不稳定 | 开展水质检测；安装净水设备；建立定期检测制度 | 7.1
        供暖管网改造             | 冬季供暖不足、管网老化漏水 | 更换老旧供暖管网；加装温控设施；入冬前完成打压试验 | 7.1
        医务室标准化建设         | 一线职工看病就医不便 | 配置常用药品和急救设备；与医院建立远程会诊；每月安排医生巡诊 | 7.1
        党群服务中心建设         | 基层活动场所不足、设施简陋 | 改造闲置用房；配齐学习活动设施；制定开放管理制度 | 16.1
        安全隐患排查整治         | 部分设施设备存在安全隐患 | 开展全面隐患排查；建立整改清单；落实整改责任和时限 | 14.1
        电动车集中充电设施建设   | 电动车充电难、私拉乱接现象突出 | 规划建设集中充电桩；清理飞线充电；加强日常巡查 | 7.1
        周边环境综合整治         | 院区环境脏乱、绿化缺失 | 清理垃圾杂物；增设绿化和休闲设施；建立长效保洁机制 | 7.1
        安防监控升级             | 监控和门禁设施老旧、盲区多 | 更新监控设备；安装人脸识别门禁；接入集中安防平台 | 14.1
        业务审批权限下放         | 业务审批层级多、办理时间长 | 梳理审批事项清单；下放一批审批权限；压缩办理时限 | 12.1
        快递收发点设置           | 地处偏远，职工取寄快递不便 | 协调快递企业设置驿站；安装智能快递柜；安排专人代收 | 6.1
        会议文件精简             | 会议多、文件多，基层疲于应付 | 严控会议数量和时长；推行视频会议；压减发文数量 | 12.2
        群众诉求接诉即办         | 群众反映问题渠道不畅、回复慢 | 设立诉求受理热线；建立首问负责制；限时办结并回访 | 11.2
    """),
    CARE: _rows("""
        职工食堂改造提升   | 职工反映食堂就餐环境差、菜品单一 | 改造就餐区和后厨设施；增加菜品种类和营养套餐；开通线上订餐 | 6.1
        职工健康体检       | 体检项目少、针对性不强 | 增加体检项目；建立职工健康档案；开展健康知识讲座 | 6.1
        职工通勤班车开通   | 职工上下班通勤时间长、交通不便 | 调研职工居住分布；开通通勤班车线路；根据反馈动态调整 | 6.1
        青年员工公寓改善   | 青年员工住宿条件差、配套不全 | 改造公寓水电设施；配齐空调和热水器；增设洗衣房和自习室 | 6.1
        职工子女暑期托管   | 双职工子女假期无人照看 | 开设暑期托管班；聘请专业老师授课；落实安全管理措施 | 6.1
        困难职工帮扶       | 部分职工因病因灾生活困难 | 建立困难职工台账；开展节日走访慰问；落实医疗和助学帮扶 | 6.2
        职工书屋建设       | 职工业余文化生活单调 | 建设职工书屋；配置图书和电子阅读设备；组织读书分享活动 | 16.2
        职工健身活动室建设 | 缺少健身场地和器材 | 改造健身活动室；配置健身器材；组织职工运动会 | 6.1
        夏送清凉慰问       | 一线职工高温作业强度大 | 发放防暑降温用品；调整高温时段作业安排；设置休息纳凉点 | 6.2
        职工心理健康服务   | 职工工作压力大、心理疏导渠道少 | 开通心理咨询热线；开设心理健康讲座；建立心理关爱档案 | 6.2
        女职工关爱室建设   | 女职工哺乳休息场所缺乏 | 建设女职工关爱室；配置冰箱和休息设施；开展女职工专项体检 | 6.1
        职工技能培训       | 一线职工技能提升渠道窄 | 开展岗位技能培训；组织技能比武；落实技能等级津贴 | 6.2
        一线员工休息室改造 | 一线员工休息场所简陋 | 改造休息室；配置空调、热水器和微波炉；设立应急药箱 | 6.1
        单身青年联谊交友   | 单身青年员工交友渠道窄 | 建立单身青年信息库；联合驻地单位举办联谊活动；组织青年读书会 | 6.1
        退休职工走访慰问   | 部分退休职工生活孤单、就医不便 | 建立走访慰问制度；组织健康义诊；开展老年文体活动 | 6.2
        职工带薪休假落实   | 部分一线职工带薪休假落实难 | 制定年度休假计划；合理安排轮岗顶班；定期通报休假落实情况 | 6.2
    """),
    MILITARY: _rows("""
        驻地部队服务保障 | 驻地部队生活保障需求多样 | 建立军地沟通机制；提供优质生活保障服务；定期征求部队意见 | 8.1
        军人军属优先服务 | 军人军属办事排队时间长 | 设立军人军属优先窗口；开通绿色通道；公布优待服务事项 | 8.2
        退役军人就业安置 | 部分退役军人就业渠道窄 | 提供就业岗位；开展岗前技能培训；建立退役军人服务站 | 8.2
        走访慰问驻地部队 | 与驻地部队联系不够紧密 | 开展节日走访慰问；组织军民共建活动；帮助解决实际困难 | 8.1
        随军家属就业帮扶 | 随军家属就业难 | 定向提供就业岗位；开展技能培训；建立帮扶台账 | 8.2
        双拥共建活动     | 军民共建活动形式单一 | 签订共建协议；开展联学联建；组织文化体育交流 | 8.1
        部队官兵优惠服务 | 部队官兵享受优惠政策不便 | 制定官兵优惠服务清单；简化优惠办理手续；开展满意度回访 | 8.1
    """),
    RURAL: _rows("""
        定点帮扶村产业发展 | 帮扶村产业基础薄弱、集体收入低 | 引进特色种养项目；提供技术指导；建立利益联结机制 | 9.1
        消费帮扶采购农产品 | 帮扶地区农产品销售渠道窄 | 组织职工食堂定向采购；开设消费帮扶专柜；拓展线上销售 | 9.2
        帮扶村基础设施建设 | 帮扶村道路和饮水设施落后 | 修建村组道路；建设集中供水设施；改善村容村貌 | 9.1
        驻村工作队支持     | 驻村工作队工作条件艰苦 | 保障驻村经费；配备工作设备；定期走访慰问驻村干部 | 9.1
        帮扶村技能培训     | 帮扶村群众就业技能不足 | 开展种养殖和务工技能培训；推荐就业岗位；跟踪就业情况 | 9.1
        乡村教育助学       | 帮扶地区学校办学条件差 | 捐赠图书和教学设备；设立助学金；组织志愿者支教 | 9.1
        帮扶村医疗义诊     | 帮扶村群众看病难 | 组织医疗队义诊；捐赠医疗设备；培训乡村医生 | 9.1
    """),
    PARTNER: _rows("""
        清理拖欠中小企业账款 | 存在拖欠中小企业账款现象 | 全面排查应付账款；制定清欠计划；建立防拖欠长效机制 | 10.1
        采购招标流程优化     | 采购招标周期长、程序繁琐 | 精简招标文件；推行电子招投标；压缩评审时限 | 10.2
        供应商服务热线开通   | 供应商反映问题渠道不畅 | 开通供应商服务热线；建立问题台账；限时答复办结 | 10.2
        合作伙伴座谈交流     | 与合作伙伴沟通交流不够 | 定期召开合作伙伴座谈会；征集意见建议；逐条研究落实 | 11.1
        合同审批提速         | 合同审批环节多、用时长 | 优化合同审批流程；推行合同在线审批；明确各环节时限 | 10.2
        客户服务满意度提升   | 客户反映服务响应慢 | 建立客户服务标准；开展满意度调查；落实整改措施 | 10.2
        电子化结算推行       | 线下结算手续多、到账慢 | 上线电子结算平台；推行电子发票；缩短付款周期 | 10.1
    """),
}

CONTENT_FRAMES = [
    "针对{site}{problem}的问题，{m0}，{ending}。",
    "经走访调研，{site}{problem}，职工群众反映较为集中。计划{m0}、{m1}，{ending}。",
    "{site}{problem}。{unit}将{m0}，并{m1}，{ending}。",
    "职工群众反映{site}{problem}。通过{m0}等措施，{ending}。",
]
ORDINALS = "一二三四五六"
ONGOING_WORDS = ["长期坚持", "常态化推进", "持续推进"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀兰霞平刚桂英华玉萍红玲芬燕彬斌宇浩凯鹏晨辉鑫波宁健峰琳欣颖婷雪慧佳晶嘉瑶志建国海春立新永德文俊"

# Progress report texts, by how far the item is.
EARLY = [
    "成立工作专班，制定实施方案，明确责任分工和时间节点。",
    "深入一线走访调研，召开座谈会{n}场，听取职工群众意见建议{k}条。",
    "完成前期摸底，梳理问题清单{n}项，启动{m}。",
    "召开专题推进会，细化任务清单，落实资金{money}万元。",
    "完成方案论证和预算审批，{m}前期准备工作就绪。",
]
MIDDLE = [
    "{m}工作有序推进，累计完成工作量约{p}%。",
    "{m}取得阶段性进展，正在同步推进{m2}。",
    "召开周调度会，协调解决资金、场地等问题{n}个，{m}按计划推进。",
    "完成阶段性任务，组织职工群众代表现场查看，收集意见{k}条并逐条落实。",
    "{m}进入实施阶段，本周完成{n}项具体任务。",
]
LATE = [
    "主体工作基本完成，正在开展收尾和查漏补缺。",
    "{m}已完成，{m2}进入收尾阶段。",
    "组织回访，职工群众满意率{r}%，针对反馈意见持续完善。",
]
DONE = [
    "全部任务已完成，组织自查，相关资料已整理归档，申请验收。",
    "{m}全部完成并投入使用，职工群众反映良好。",
    "各项措施全部落实到位，满意度回访满意率{r}%，申请销号。",
]
ONGOING = [
    "持续{m}，本周受理并办结群众诉求{n}件。",
    "按照常态化机制推进{m}，本周开展活动{n}次。",
    "{m}纳入日常工作，持续跟踪职工群众反映。",
]
DIFFICULTIES = [
    "资金审批流程较长，部分资金尚未到位。",
    "受天气影响，施工进度有所滞后。",
    "涉及多个部门，协调难度较大。",
    "供应商供货延迟。",
    "地方审批手续尚在办理中。",
    "基层人员紧张，兼职推进精力不足。",
    "职工需求差异较大，方案需进一步论证。",
]
NEXT_STEPS = [
    "下周重点推进{m}，加快工作进度。",
    "继续协调相关单位，争取尽快解决存在的问题。",
    "加强督促检查，确保按期完成。",
    "倒排工期，挂图作战，确保节点目标。",
]
NEXT_STEPS_LATE = [
    "做好验收准备，整理过程资料。",
    "查漏补缺，组织职工群众满意度回访。",
    "下周完成{m}收尾工作。",
]
WITHDRAW_REASONS = [
    "因上级政策调整，不再单独实施。",
    "经论证条件暂不具备，调整出清单，列入明年计划。",
    "已纳入地方政府民生工程统一实施。",
]

# How each item is doing today (weights): each story ends in a known light and status.
SCENARIOS = {
    "done": 20,  # completed: green
    "on_track": 36,  # green
    "near": 5,  # deadline within the campaign's blue days: blue
    "yellow": 12,  # 12–28 points behind schedule
    "red_behind": 4,  # more than 35 points behind
    "overdue": 6,  # past the deadline, not done: red
    "ongoing": 8,  # no deadline (长期坚持): green
    "idle_future": 3,  # not started, planned start ahead: green
    "idle_yellow": 3,  # not started 35–85 days after its planned start
    "idle_red": 1,  # not started since the campaign began
}
WITHDRAWN_PER_SUBSIDIARY = 1
SPLIT_ITEMS_PER_SUBSIDIARY = 1

# Building -------------------------------------------------------------------------------------------------------


@dataclass
class DemoUser:
    """A row of the demo users table."""

    username: str
    name: str
    role: str
    unit: str
    password: str


@dataclass
class DemoResult:
    """What a run built (or found) and how long it took."""

    campaign: Campaign
    built: bool
    seconds: float = 0.0
    units_created: int = 0
    users_created: int = 0
    users: list[DemoUser] = field(default_factory=list)


@dataclass
class OrgTree:
    """The demo's units, found or made."""

    group: Unit
    departments: list[Unit]
    subsidiaries: list[tuple[SubsidiarySpec, Unit, list[Unit]]]

    @property
    def first_level(self) -> list[Unit]:
        return self.departments + [unit for _, unit, _ in self.subsidiaries]

    def by_name(self, name: str | None) -> Unit:
        if name is None:
            return self.group
        return next(unit for unit in self.first_level if unit.name == name)


def build_demo(*, password: str, today: datetime.date | None = None) -> DemoResult:
    """Build whatever of the demo is missing; an existing demo campaign is left as it is."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    with transaction.atomic():
        units_before = Unit.objects.count()
        org = _ensure_org_tree()
        units_created = Unit.objects.count() - units_before
        campaign = Campaign.objects.filter(slug=CAMPAIGN_SLUG).first()
        built = campaign is None
        if built:
            campaign = _create_campaign(today)
        users_before = User.objects.count()
        users, liaisons = _ensure_users(org, campaign, password)
        users_created = User.objects.count() - users_before
        now = timezone.now()
        if today != timezone.localdate():
            now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(18)))
        if built:
            _LedgerBuilder(campaign, org, users, liaisons, today).build()
            # A plausible reporting history: on time, late, missing, returned, accepted.
            reporting_demo.build(campaign, now=now)
        # Study and good practice: each builds only what is missing (an older demo database gains them).
        study_demo.build(campaign, now=now)
        office = next(user for user, role in users if role == Role.OFFICE)
        _plan_done(campaign, office)
        bulletins_demo.build(campaign, now=now)
        inspections_demo.build(campaign, now=now)
        supervision_demo.build(campaign, now=now)
        lifecycle_demo.build(campaign, users)  # problems, comments, published items, the lights' history
        keytasks_demo.build(campaign, today=today)
        if built:
            # The lights as of today, now that the reporting history is there to count missed reports.
            refresh_lights(campaign, on=today)
        # Acceptances, ratings, closings, chase-ups and milestones: after the lights, which chase-ups read.
        closing_demo.build(campaign, users, today=today)
        meetings_demo.build(campaign, now=now)  # after the lights: its agenda reads them
        assessment_demo.build(campaign, now=now)
    return DemoResult(
        campaign=campaign,
        built=built,
        seconds=time.perf_counter() - started,
        units_created=units_created,
        users_created=users_created,
        users=_user_rows(users, password),
    )


def _ensure_unit(*, name: str, parent: Unit | None, **data) -> Unit:
    existing = Unit.objects.filter(parent=parent, name=name).first()
    if existing is not None:
        return existing
    return create_unit(data={"name": name, "parent": parent, **data}, acting_user=system_actor("demo"))


def _ensure_org_tree() -> OrgTree:
    group = _ensure_unit(parent=None, kind=Unit.Kind.GROUP, **GROUP)
    departments = [
        _ensure_unit(
            name=name,
            parent=group,
            short_name=short,
            aliases=_list(aliases),
            kind=Unit.Kind.DEPARTMENT,
            sort_order=order,
        )
        for order, (name, short, aliases, _liaison) in enumerate(DEPARTMENTS, start=1)
    ]
    subsidiaries = []
    for order, spec in enumerate(SUBSIDIARIES, start=len(DEPARTMENTS) + 1):
        unit = _ensure_unit(
            name=spec.name,
            parent=group,
            short_name=spec.short_name,
            aliases=_list(spec.aliases),
            kind=Unit.Kind.SUBSIDIARY,
            sort_order=order,
        )
        subunits = [
            _ensure_unit(
                name=name, parent=unit, short_name=short, aliases=_list(aliases), kind=Unit.Kind.SUBUNIT, sort_order=n
            )
            for n, (name, short, aliases) in enumerate(spec.subunit_rows, start=1)
        ]
        subsidiaries.append((spec, unit, subunits))
    return OrgTree(group=group, departments=departments, subsidiaries=subsidiaries)


def _create_campaign(today: datetime.date) -> Campaign:
    starts_on = today - datetime.timedelta(days=240)
    ends_on = today + datetime.timedelta(days=60)
    campaign = create_campaign(
        data={
            "slug": CAMPAIGN_SLUG,
            "name": CAMPAIGN_NAME,
            "description": (
                "坚持项目化实施、清单化推进、体系化落实，聚焦职工群众急难愁盼问题，"
                "把脉问诊拉清单、实地巡诊问清单、定期会诊理清单，推动每一件实事落地见效。"
            ),
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
        acting_user=system_actor("demo"),
    )
    Category.objects.bulk_create(
        Category(campaign=campaign, name=name, scope=scope, order=order)
        for order, (name, scope) in enumerate(CATEGORIES)
    )
    planning_end = starts_on + datetime.timedelta(days=41)
    checking_start = ends_on - datetime.timedelta(days=34)
    dates = [
        (starts_on, planning_end),
        (planning_end + datetime.timedelta(days=1), checking_start - datetime.timedelta(days=1)),
        (checking_start, ends_on),
    ]
    Phase.objects.bulk_create(
        Phase(campaign=campaign, name=name, order=order, starts_on=start, ends_on=end)
        for order, (name, (start, end)) in enumerate(zip(PHASES, dates, strict=True))
    )
    aspects = KeyTask.objects.bulk_create(
        KeyTask(campaign=campaign, code=str(n), name=name, order=n) for n, (name, _tasks) in enumerate(KEY_TASKS, 1)
    )
    KeyTask.objects.bulk_create(
        KeyTask(campaign=campaign, parent=aspect, code=f"{aspect.code}.{m}", name=task, order=m)
        for aspect, (_name, tasks) in zip(aspects, KEY_TASKS, strict=True)
        for m, task in enumerate(tasks.split("；"), 1)
    )
    # The implementation plan's sections, as the seed's template has them (六项准备, 六个环节, 六个结合).
    seed_plan(campaign, dict(enumerate(aspects, 1)))
    return campaign


PLAN_NOTES = [
    "党组会议审议通过实施方案并印发",
    "编印《红色之路》等学习资料",
    "成立领导小组及办公室",
    "形成600条实事清单",
]


def _plan_done(campaign: Campaign, office) -> None:
    """The first preparations are done, as the office ticked them (with the date and a note)."""
    from taizhang.campaigns.actions import update_plan_section
    from taizhang.campaigns.models import PlanSection

    preparations = PlanSection.objects.filter(campaign=campaign, kind=PlanSection.Kind.PREPARATION).order_by("order")
    for section, words in zip(preparations, PLAN_NOTES, strict=False):
        if section.state != PlanSection.State.DONE:
            update_plan_section(section, data={"state": PlanSection.State.DONE, "note": words}, acting_user=office)


def _ensure_users(org: OrgTree, campaign: Campaign, password: str) -> tuple[list[tuple[User, str]], dict[int, User]]:
    """The demo users with their grants; returns (user, role) rows and the liaison speaking for each unit id."""
    hashed = ""  # hashed once, when first needed: one shared demo password, not 30 slow hashes
    rows: list[tuple[User, str]] = []
    liaisons: dict[int, User] = {}

    def person(username: str, name: str, unit: Unit, role: str, **flags) -> User:
        nonlocal hashed
        user = User.objects.filter(username=username).first()
        if user is None:
            hashed = hashed or make_password(password)
            user = User.objects.create(username=username, name=name, unit=unit, password=hashed, **flags)
        grant_role(user=user, campaign=campaign, role=role, unit=unit if role == Role.LIAISON else None)
        rows.append((user, role))
        return user

    for username, name, role, unit_name in STAFF:
        unit_name = unit_name or None
        flags = {"is_staff": True, "is_superuser": True} if role == Role.OFFICE else {}
        user = person(username, name, org.by_name(unit_name), role, **flags)
        if role == Role.LIAISON:
            liaisons[org.by_name(unit_name).pk] = user
        if role == Role.LEADER:
            for unit_name in LEADER_CONTACT_POINTS:
                ContactPoint.objects.get_or_create(
                    campaign=campaign, leader=user, unit=org.by_name(unit_name), defaults={"note": "党委领导联系点"}
                )
    for n, (unit, (_name, _short, _aliases, liaison_name)) in enumerate(
        zip(org.departments, DEPARTMENTS, strict=True), 1
    ):
        user = person(f"liaison-hq-{n:02d}", liaison_name, unit, Role.LIAISON)
        liaisons.setdefault(unit.pk, user)
    for spec, unit, _subunits in org.subsidiaries:
        liaisons[unit.pk] = person(f"liaison-{spec.prefix.lower()}", spec.liaison, unit, Role.LIAISON)
    return rows, liaisons


def _user_rows(rows: list[tuple[User, str]], password: str) -> list[DemoUser]:
    """The users table; a user whose password is not the demo password (set earlier) says so."""
    verdicts: dict[str, bool] = {}
    table = []
    for user, role in rows:
        if user.password not in verdicts:
            verdicts[user.password] = check_password(password, user.password)
        table.append(
            DemoUser(
                username=user.username,
                name=user.name,
                role=str(Role(role).label),
                unit=user.unit.name if user.unit_id else "",
                password=password if verdicts[user.password] else "(unchanged, set earlier)",
            )
        )
    return table


def _last_day_of_month(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def due_text_for(due: datetime.date, list_year: int) -> str:
    """The deadline as the list writes it: 年底前, 6月底前, 9月30日前."""
    if due.month == 12 and due.day == 31:
        return "年底前" if due.year == list_year else f"{due.year}年底前"
    text = f"{due.month}月底前" if _last_day_of_month(due) else f"{due.month}月{due.day}日前"
    return text if due.year == list_year else f"{due.year}年{text}"


def _backdate(model, field_name: str, objects: list) -> None:
    """Write back the past times an ``auto_now_add`` field overwrote on bulk_create.

    One ``executemany``: bulk_update builds a CASE expression per row and took
    most of the demo's run time for the ~6,000 history rows.
    """
    meta = model._meta
    column = meta.get_field(field_name)
    quote = connection.ops.quote_name
    sql = f"UPDATE {quote(meta.db_table)} SET {quote(column.column)} = %s WHERE {quote(meta.pk.column)} = %s"
    params = [(column.get_db_prep_value(getattr(obj, field_name), connection), obj.pk) for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@dataclass
class _Plan:
    """One item to build and the story of its progress."""

    item: Item
    measures: list[str]
    scenario: str = ""
    partners: list[Unit] = field(default_factory=list)
    reports: list[tuple[datetime.date, int]] = field(default_factory=list)
    children: list["_Plan"] = field(default_factory=list)
    withdraw: bool = False


class _LedgerBuilder:
    """Writes the items, their progress and their history for a new demo campaign."""

    def __init__(self, campaign: Campaign, org: OrgTree, users, liaisons: dict[int, User], today: datetime.date):
        self.campaign = campaign
        self.org = org
        self.office = next(user for user, role in users if role == Role.OFFICE)
        self.liaisons = liaisons
        self.today = today
        self.rng = random.Random(SEED)
        self.to_traditional = OpenCC("s2t")
        self.categories = {c.name: c for c in campaign.categories.all()}
        self.phases = list(campaign.phases.all())
        self.key_tasks = {k.code: k for k in campaign.key_tasks.all()}
        self.titles: set[str] = set()
        self.leads: dict[int, list[str]] = {}
        self.tz = timezone.get_default_timezone()
        offset = (today.weekday() - 4) % 7 or 7
        self.last_friday = today - datetime.timedelta(days=offset)
        # Reports begin a fortnight into the campaign, on a Friday.
        earliest = campaign.starts_on + datetime.timedelta(days=14)
        self.first_friday = earliest + datetime.timedelta(days=(4 - earliest.weekday()) % 7)
        self.list_created = datetime.datetime.combine(
            campaign.starts_on + datetime.timedelta(days=7), datetime.time(10, 0), tzinfo=self.tz
        )

    # The list -----------------------------------------------------------------------------------------------

    def build(self) -> None:
        plans = self._hq_plans()
        for spec, unit, subunits in self.org.subsidiaries:
            plans += self._subsidiary_plans(spec, unit, subunits)
        self._write(plans)

    def _name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def _lead_for(self, unit: Unit) -> str:
        top = unit if unit.depth <= 1 else unit.parent
        if top.pk not in self.leads:
            self.leads[top.pk] = [self._name() for _ in range(3)]
        return self.rng.choice(self.leads[top.pk])

    def _item(self, *, code, title, category, problem, measures, key_task, owner_unit, site="", unit_name="") -> _Plan:
        measure_list = measures.split("；")
        padded = [*measure_list, *measure_list]
        content = self.rng.choice(CONTENT_FRAMES).format(
            site=site,
            problem=problem,
            m0=padded[0],
            m1=padded[1],
            unit=unit_name or owner_unit.display_name,
            ending=CATEGORY_ENDINGS[category],
        )
        item = Item(
            campaign=self.campaign,
            code=code,
            title=title,
            content=content,
            measures="；".join(f"{ORDINALS[i]}是{m}" for i, m in enumerate(measure_list)) + "。",
            category=self.categories[category],
            scope=self.categories[category].scope,
            key_task=self.key_tasks[key_task or self.rng.choice(CATEGORY_KEY_TASKS[category])],
            owner_unit=owner_unit,
            lead=self._lead_for(owner_unit),
            owner=self._name(),
        )
        self.titles.add(title)
        return _Plan(item=item, measures=measure_list)

    def _hq_plans(self) -> list[_Plan]:
        plans = []
        for n, (dept, title, category, problem, measures, key_task, partners) in enumerate(HQ_ITEMS, 1):
            plan = self._item(
                code=f"HQ-{n:03d}",
                title=title,
                category=category,
                problem=problem,
                measures=measures,
                key_task=key_task,
                owner_unit=self.org.by_name(dept),
                unit_name="总部",
            )
            plan.partners = [self.org.by_name(name) for name in _list(partners)]
            self._schedule(plan, HQ_SCENARIOS.get(title) or self._scenario(exclude=("idle_red",)))
            plans.append(plan)
        return plans

    def _subsidiary_plans(self, spec: SubsidiarySpec, unit: Unit, subunits: list[Unit]) -> list[_Plan]:
        plans: list[_Plan] = []
        count = 0
        specials = spec.special_rows
        places = _list(spec.places)
        split_at = {self.rng.randint(5, spec.items // 2) for _ in range(SPLIT_ITEMS_PER_SUBSIDIARY)}
        withdraw_at = {self.rng.randint(10, spec.items - 5) for _ in range(WITHDRAWN_PER_SUBSIDIARY)}
        n = 0
        while count < spec.items:
            n += 1
            owner = unit if self.rng.random() < 0.35 else self.rng.choice(subunits)
            if specials:
                title, category, problem, measures, written = specials.pop(0)
                key_task, traditional = "", written == "繁"
            else:
                category = self.rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0]
                pool = STEMS[category] + [[s[0], s[2], s[3], ""] for s in spec.special_rows if s[1] == category] * 2
                title, problem, measures, key_task = self.rng.choice(pool)
                traditional = self.rng.random() < (0.08 if spec.prefix == "YL" else 0.02)
            site = owner.name if owner != unit else self.rng.choice([*places, "", ""])
            full_title = self._unique_title(site, title, places if owner == unit else [])
            if owner == unit and not full_title.startswith(site):
                site = ""
            plan = self._item(
                code=f"{spec.prefix}-{n:03d}",
                title=full_title,
                category=category,
                problem=problem,
                measures=measures,
                key_task=key_task,
                owner_unit=owner,
                site=site,
            )
            if traditional:
                for name in ("title", "content", "measures"):
                    setattr(plan.item, name, self.to_traditional.convert(getattr(plan.item, name)))
            if self.rng.random() < 0.25:
                helpers = [self.org.departments[i] for i in CATEGORY_PARTNERS[category]]
                helpers += [u for u in subunits if u != owner]
                plan.partners = self.rng.sample(helpers, k=min(len(helpers), self.rng.randint(1, 2)))
            count += 1
            if n in split_at and len(plan.measures) >= 2:
                self._split(plan)
                count += len(plan.children)
            elif n in withdraw_at:
                plan.withdraw = True
                self._schedule(plan, "withdrawn")
            else:
                self._schedule(plan, self._scenario())
            plans.append(plan)
        return plans

    def _unique_title(self, site: str, title: str, places: list[str]) -> str:
        candidate = f"{site}{title}"
        for place in [*places, *[f"第{ORDINALS[i]}批" for i in range(1, 6)]]:
            if candidate not in self.titles:
                return candidate
            candidate = f"{place}{title}" if not place.startswith("第") else f"{site}{title}（{place}）"
        return candidate

    def _split(self, plan: _Plan) -> None:
        """Turn an item into a parent whose progress comes from one sub-item per measure."""
        weights = [Decimal("0.6"), Decimal("0.4")] if len(plan.measures) == 2 else [Decimal("0.5"), Decimal("0.3")]
        weights += [Decimal("0.2")] * (len(plan.measures) - len(weights))
        parent = plan.item
        for i, (measure, weight) in enumerate(zip(plan.measures, weights, strict=False), 1):
            child = Item(
                campaign=self.campaign,
                code=f"{parent.code}-{i}",
                title=measure,
                content=f"{parent.title}的第{ORDINALS[i - 1]}项措施：{measure}。",
                measures=f"{measure}，按月调度，确保按期完成。",
                category=parent.category,
                scope=parent.scope,
                key_task=parent.key_task,
                owner_unit=parent.owner_unit,
                lead=parent.lead,
                owner=self._name(),
                weight=weight,
            )
            child_plan = _Plan(item=child, measures=[measure, *plan.measures])
            self._schedule(child_plan, self.rng.choice(["done", "on_track", "on_track", "yellow"]))
            plan.children.append(child_plan)
        dues = [c.item.due for c in plan.children if c.item.due]
        parent.due = max(dues)
        parent.due_text = due_text_for(parent.due, self.campaign.starts_on.year)
        parent.phase = self._phase_for(parent.due)

    # Deadlines and progress ---------------------------------------------------------------------------------

    def _scenario(self, exclude=()) -> str:
        names = [name for name in SCENARIOS if name not in exclude]
        return self.rng.choices(names, weights=[SCENARIOS[name] for name in names])[0]

    def _natural_date(self, lo: datetime.date, hi: datetime.date) -> datetime.date:
        """A deadline people write: mostly the 10th, 15th, 20th or the end of a month."""
        hi = max(lo, hi)
        days = [lo + datetime.timedelta(days=i) for i in range((hi - lo).days + 1)]
        natural = [d for d in days if d.day in (10, 15, 20) or _last_day_of_month(d)]
        if natural and self.rng.random() < 0.85:
            return self.rng.choice(natural)
        return self.rng.choice(days)

    def _phase_for(self, due: datetime.date | None) -> Phase:
        if due is None:
            return self.phases[1]
        for phase in self.phases:
            if phase.starts_on <= due <= phase.ends_on:
                return phase
        return self.phases[0] if due < self.campaign.starts_on else self.phases[-1]

    def _schedule(self, plan: _Plan, scenario: str) -> None:
        """Choose the deadline, the start and the weekly reports that make the item tell this story."""
        rng, today, end = self.rng, self.today, self.campaign.ends_on
        day = datetime.timedelta(days=1)
        item = plan.item
        plan.scenario = scenario
        report_end = self.last_friday
        if rng.random() < 0.12:
            report_end -= 7 * day * rng.randint(1, 2)  # the unit skipped the latest report or two
        final: int | None = None
        if scenario == "done":
            report_end = max(self.last_friday - 7 * day * rng.randint(0, 14), self.first_friday + 35 * day)
            if rng.random() < 0.8:
                item.due = self._natural_date(report_end, end)
            else:
                item.due = self._natural_date(report_end - 35 * day, report_end - 3 * day)
            final = 100
            item.completed_on = report_end
        elif scenario in ("on_track", "yellow", "red_behind", "near"):
            if scenario == "near":
                item.due = today + rng.randint(2, self.campaign.blue_days_before_due) * day
            else:
                item.due = self._natural_date(today + (20 if scenario == "red_behind" else 10) * day, end)
            expected = expected_percent(self.campaign.starts_on, item.due, today)
            report_end = self.last_friday  # a report that old would not be believed
            if scenario == "on_track":
                final = min(95, expected + rng.randint(-6, 8))
            elif scenario == "near":
                final = expected - rng.randint(0, 5)
            elif scenario == "yellow":
                final = expected - rng.randint(12, 28)
            else:
                final = expected - rng.randint(35, 55)
            final = max(3, min(99, final))
        elif scenario == "overdue":
            item.due = self._natural_date(today - 45 * day, today - 3 * day)
            final = rng.randrange(55, 96, 5)
        elif scenario == "ongoing":
            item.due_text = rng.choice(ONGOING_WORDS)
            final = rng.randrange(25, 86, 5)
        elif scenario == "idle_future":
            item.starts_on = today + rng.randint(5, 40) * day
            item.due = self._natural_date(item.starts_on + 20 * day, end)
        elif scenario == "idle_yellow":
            item.starts_on = today - rng.randint(35, 85) * day
            item.due = self._natural_date(today + 20 * day, end)
        elif scenario == "idle_red":
            item.due = self._natural_date(today + 20 * day, end)
        elif scenario == "withdrawn":
            item.due = self._natural_date(today + 10 * day, end)
            final = rng.randrange(5, 31, 5) if rng.random() < 0.6 else None
            report_end = self.last_friday - 7 * day * rng.randint(3, 8)
        if item.due is not None:
            item.due_text = due_text_for(item.due, self.campaign.starts_on.year)
        item.phase = self._phase_for(item.due)
        if final is not None:
            plan.reports = self._reports(final, report_end, rng.randint(6, 12) if scenario != "withdrawn" else 3)

    def _reports(self, final: int, end: datetime.date, count: int) -> list[tuple[datetime.date, int]]:
        """Weekly (as_of, percent) pairs ending at ``end`` with ``final``, never going down."""
        fridays = []
        friday = end
        while len(fridays) < count and friday >= self.first_friday:
            fridays.append(friday)
            friday -= datetime.timedelta(days=14 if self.rng.random() < 0.1 else 7)
        fridays.reverse()
        first = min(final, max(5, int(final * self.rng.uniform(0.15, 0.55)) // 5 * 5))
        steps = [self.rng.choice([0, 1, 1, 2, 2, 3]) for _ in fridays[1:]]
        total = sum(steps) or 1
        percents, acc = [first], 0
        for step in steps[:-1]:
            acc += step
            value = first + (final - first) * acc / total
            percents.append(max(percents[-1], min(final, 95, int(value) // 5 * 5)))
        if len(fridays) > 1:
            percents.append(final)
        else:
            percents = [final]
        return list(zip(fridays, percents, strict=True))

    def _texts(self, plan: _Plan, percent: int, last: bool) -> tuple[str, str, str]:
        rng = self.rng
        measure = rng.choice(plan.measures)
        values = {
            "m": measure,
            "m2": rng.choice([m for m in plan.measures if m != measure] or plan.measures),
            "n": rng.randint(2, 9),
            "k": rng.randint(8, 60),
            "money": rng.randrange(5, 205, 5),
            "p": percent,
            "r": rng.randint(92, 100),
        }
        if plan.scenario == "ongoing":
            pool = ONGOING
        elif percent >= 100:
            pool = DONE
        elif percent < 35:
            pool = EARLY
        elif percent < 80:
            pool = MIDDLE
        else:
            pool = LATE
        done = rng.choice(pool).format(**values)
        troubled = plan.scenario in ("yellow", "red_behind", "overdue")
        difficulties = rng.choice(DIFFICULTIES) if rng.random() < (0.8 if troubled else 0.3) else ""
        if percent >= 100:
            next_steps = "做好验收准备，建立长效机制，巩固工作成果。" if last else ""
        else:
            next_steps = rng.choice(NEXT_STEPS_LATE if percent >= 80 else NEXT_STEPS).format(**values)
        return done, difficulties, next_steps

    # Writing ------------------------------------------------------------------------------------------------

    def _write(self, tops: list[_Plan]) -> None:
        """Items, then their weekly progress, through the ledger's bulk actions: the same road as the pages."""
        made = actions.create_items(
            campaign=self.campaign, items=[self._new(plan) for plan in tops], acting_user=self.office, on=self.today
        )
        for plan, item in zip(tops, made, strict=True):
            plan.item = item
        children = [child for plan in tops for child in plan.children]
        made = actions.create_items(
            campaign=self.campaign,
            items=[self._new(child, parent=plan.item) for plan in tops for child in plan.children],
            acting_user=self.office,
            on=self.today,
        )
        for plan, item in zip(children, made, strict=True):
            plan.item = item
        every = tops + children
        self._backdate_creation(every)

        reports: dict[int, list[actions.NewProgress]] = {}
        authors: dict[int, User] = {}
        for plan in every:
            author = self._liaison_for(plan.item.owner_unit)
            authors[author.pk] = author
            for i, (as_of, percent) in enumerate(plan.reports):
                done, difficulties, next_steps = self._texts(plan, percent, i == len(plan.reports) - 1)
                minute = self.rng.randint(-50, 55)
                created_at = datetime.datetime.combine(as_of, datetime.time(16, 0), tzinfo=self.tz)
                created_at += datetime.timedelta(minutes=minute)
                reports.setdefault(author.pk, []).append(
                    actions.NewProgress(
                        item=plan.item,
                        percent=percent,
                        done=done,
                        difficulties=difficulties,
                        next_steps=next_steps,
                        period_label=week_key(as_of),  # the key; pages name it (lib.periods)
                        as_of=as_of,
                        source=ProgressEntry.Source.DEMO,
                        created_at=created_at,
                    )
                )
        # Each unit's liaison reports on the unit's items; percent, status and light follow in the action.
        for author_id, theirs in reports.items():
            actions.add_progress_many(
                campaign=self.campaign, reports=theirs, acting_user=authors[author_id], on=self.today
            )
        self._withdraw([plan for plan in tops if plan.withdraw])

    def _new(self, plan: _Plan, parent: Item | None = None) -> actions.NewItem:
        item = plan.item
        data = {name: getattr(item, name) for name in DEMO_FIELDS}
        if parent is not None:
            data["parent"] = parent
        return actions.NewItem(data, partner_units=plan.partners)

    def _backdate_creation(self, plans: list[_Plan]) -> None:
        """The list was drawn up weeks ago: the items and their "created" history entries say so."""
        for plan in plans:
            plan.item.created_at = self._created_at(plan.item)
        _backdate(Item, "created_at", [plan.item for plan in plans])
        when = {plan.item.pk: plan.item.created_at for plan in plans}
        entries = HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Item),
            action=HistoryEntry.Action.CREATE,
            object_id__in=list(when),
        ).values_list("pk", "object_id")
        _backdate(HistoryEntry, "at", [SimpleNamespace(pk=pk, at=when[object_id]) for pk, object_id in entries])

    def _created_at(self, item: Item) -> datetime.datetime:
        if item.starts_on and item.starts_on > self.today:
            added = self.today - datetime.timedelta(days=self.rng.randint(3, 20))
            return datetime.datetime.combine(added, datetime.time(10, 0), tzinfo=self.tz)
        return self.list_created

    def _liaison_for(self, unit: Unit) -> User:
        while unit.pk not in self.liaisons:
            unit = unit.parent
        return self.liaisons[unit.pk]

    def _withdraw(self, plans: list[_Plan]) -> None:
        for n, plan in enumerate(plans):
            item = plan.item
            merge_into = None
            if n % 3 == 2:
                merge_into = (
                    Item.objects.filter(campaign=self.campaign, owner_unit=item.owner_unit, parent=None)
                    .exclude(pk=item.pk)
                    .exclude(status=Status.WITHDRAWN)
                    .order_by("code")
                    .first()
                )
            reason = "内容重复，合并推进。" if merge_into else WITHDRAW_REASONS[n % len(WITHDRAW_REASONS)]
            withdraw_item(item, reason=reason, acting_user=self.office, merged_into=merge_into)
